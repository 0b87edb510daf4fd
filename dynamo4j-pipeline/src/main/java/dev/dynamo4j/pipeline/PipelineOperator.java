package dev.dynamo4j.pipeline;

import dev.dynamo4j.engine.PipelineIO;
import java.util.Objects;

/**
 * Places an {@link Operator} in a pipeline through two edges:
 *
 * <ul>
 *   <li>{@link #forwardEdge()} sits on the request path: it receives upstream requests, runs the
 *       operator with an internal frontend as {@code next} (whose requests go on downstream), and
 *       sends the operator's result up the response path;
 *   <li>{@link #backwardEdge()} sits on the response path: it receives downstream responses and
 *       resolves the internal frontend's pending calls.
 * </ul>
 *
 * Link as {@code frontend.link(pre).link(op.forwardEdge()).link(backend).link(post)
 * .link(op.backwardEdge()).link(frontend)}.
 */
public final class PipelineOperator<
    UpIn extends PipelineIO, UpOut extends PipelineIO, DownIn extends PipelineIO, DownOut extends PipelineIO> {

  private final Operator<UpIn, UpOut, DownIn, DownOut> operator;
  private final Frontend<DownIn, DownOut> downstream = new Frontend<>();
  private final EdgeCell<UpOut> upstream = new EdgeCell<>("PipelineOperator.backwardEdge");
  private final ForwardEdge forward = new ForwardEdge();
  private final BackwardEdge backward = new BackwardEdge();

  private PipelineOperator(Operator<UpIn, UpOut, DownIn, DownOut> operator) {
    this.operator = Objects.requireNonNull(operator, "operator");
  }

  public static <UpIn extends PipelineIO, UpOut extends PipelineIO, DownIn extends PipelineIO, DownOut extends PipelineIO>
      PipelineOperator<UpIn, UpOut, DownIn, DownOut> create(Operator<UpIn, UpOut, DownIn, DownOut> operator) {
    return new PipelineOperator<>(operator);
  }

  public ForwardEdge forwardEdge() {
    return forward;
  }

  public BackwardEdge backwardEdge() {
    return backward;
  }

  /** Request path: sink of upstream requests, source of downstream requests. */
  public final class ForwardEdge implements Sink<UpIn>, Source<DownIn> {
    private ForwardEdge() {}

    @Override
    public void onData(UpIn request) {
      UpOut response;
      try {
        response = operator.generate(request, downstream);
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new PipelineException(PipelineException.Kind.Generic, "operator failed: " + e, e);
      }
      upstream.get().write(response);
    }

    @Override
    public void onNext(DownIn data) {
      downstream.onNext(data);
    }

    @Override
    public void setEdge(Edge<DownIn> edge) {
      downstream.setEdge(edge);
    }
  }

  /** Response path: sink of downstream responses, source of upstream responses. */
  public final class BackwardEdge implements Sink<DownOut>, Source<UpOut> {
    private BackwardEdge() {}

    @Override
    public void onData(DownOut response) {
      downstream.onData(response);
    }

    @Override
    public void onNext(UpOut data) {
      upstream.get().write(data);
    }

    @Override
    public void setEdge(Edge<UpOut> edge) {
      upstream.set(edge);
    }
  }
}
