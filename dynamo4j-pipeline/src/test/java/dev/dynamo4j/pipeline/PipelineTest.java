package dev.dynamo4j.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.engine.Annotated;
import dev.dynamo4j.engine.AsyncEngine;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ports of Dynamo's lib/runtime/tests/pipeline.rs (dynamo-model.md §4.7). */
class PipelineTest {
  /** Streams each character of the request as one item, as the Rust test engine does. */
  static final AsyncEngine<Context<String>, ResponseStream<Annotated<String>>> CHARS =
      req ->
          ResponseStream.generate(
              req,
              out -> {
                for (char c : req.value().toCharArray()) {
                  if (!out.emit(Annotated.fromData(String.valueOf(c)))) {
                    return;
                  }
                }
              });

  @Test
  void aFrontendLinkedToABackendStreamsTheEnginesItems() throws Exception {
    ServiceFrontend<Context<String>, ResponseStream<Annotated<String>>> frontend = ServiceFrontend.create();
    frontend.link(ServiceBackend.fromEngine(CHARS)).link(frontend);
    List<Annotated<String>> items = frontend.generate(Context.of("test")).toList();
    assertThat(items).hasSize(4);
    assertThat(items).extracting(Annotated::data).containsExactly("t", "e", "s", "t");
  }

  @Test
  void nodesBeforeAndAfterTheBackendMapTheRequestAndTheResponseStream() throws Exception {
    ServiceFrontend<Context<String>, ResponseStream<Annotated<String>>> frontend = ServiceFrontend.create();
    PipelineNode<Context<String>, Context<String>> pre = PipelineNode.create(req -> req.map(s -> s + " world"));
    PipelineNode<ResponseStream<Annotated<String>>, ResponseStream<Annotated<String>>> post =
        PipelineNode.create(stream -> stream.flatMap(item -> List.of(item, item)));
    frontend.link(pre).link(ServiceBackend.fromEngine(CHARS)).link(post).link(frontend);
    assertThat(frontend.generate(Context.of("test")).toList()).hasSize(20);
  }

  @Test
  void anOperatorBetweenNodesSeesTheRequestAndItsResponseStream() throws Exception {
    ServiceFrontend<Context<String>, ResponseStream<Annotated<String>>> frontend = ServiceFrontend.create();
    PipelineNode<Context<String>, Context<String>> pre = PipelineNode.create(req -> req.map(s -> s + " world"));
    PipelineNode<ResponseStream<Annotated<String>>, ResponseStream<Annotated<String>>> post =
        PipelineNode.create(stream -> stream.flatMap(item -> List.of(item, item)));
    PipelineOperator<Context<String>, ResponseStream<Annotated<String>>, Context<String>, ResponseStream<Annotated<String>>> op =
        PipelineOperator.create(
            (req, next) -> {
              ResponseStream<Annotated<String>> downstream = next.generate(req.map(s -> s + " from operator"));
              return downstream.prepend(Annotated.fromAnnotation("operator", "hello from operator"));
            });
    frontend
        .link(pre)
        .link(op.forwardEdge())
        .link(ServiceBackend.fromEngine(CHARS))
        .link(post)
        .link(op.backwardEdge())
        .link(frontend);

    List<Annotated<String>> items = frontend.generate(Context.of("test")).toList();
    assertThat(items.stream().filter(a -> a.data() != null)).hasSize(48);
    assertThat(items.stream().filter(a -> a.comment() != null)).hasSize(1);
    assertThat(items.get(0).event()).isEqualTo("operator");
    assertThat(items.get(0).comment()).containsExactly("\"hello from operator\"");
  }

  @Test
  void generateWithoutEdgeIsNoEdge() {
    ServiceFrontend<Context<String>, ResponseStream<Annotated<String>>> frontend = ServiceFrontend.create();
    assertThatThrownBy(() -> frontend.generate(Context.of("x")))
        .isInstanceOfSatisfying(PipelineException.class, e -> assertThat(e.kind()).isEqualTo(PipelineException.Kind.NoEdge));
    assertThatThrownBy(() -> frontend.onNext(Context.of("x")))
        .isInstanceOfSatisfying(PipelineException.class, e -> assertThat(e.kind()).isEqualTo(PipelineException.Kind.NoEdge));
  }

  @Test
  void linkingTwiceIsEdgeAlreadySet() {
    ServiceFrontend<Context<String>, ResponseStream<Annotated<String>>> frontend = ServiceFrontend.create();
    frontend.link(ServiceBackend.fromEngine(CHARS));
    assertThatThrownBy(() -> frontend.link(ServiceBackend.fromEngine(CHARS)))
        .isInstanceOfSatisfying(PipelineException.class, e -> assertThat(e.kind()).isEqualTo(PipelineException.Kind.EdgeAlreadySet));
  }

  @Test
  void segmentSinkAttachesOnceAndForwards() throws Exception {
    ServiceFrontend<Context<String>, ResponseStream<Annotated<String>>> frontend = ServiceFrontend.create();
    SegmentSink<Context<String>, ResponseStream<Annotated<String>>> sink = SegmentSink.create();
    frontend.link(sink).link(frontend);
    assertThatThrownBy(() -> frontend.generate(Context.of("x")))
        .isInstanceOfSatisfying(PipelineException.class, e -> assertThat(e.kind()).isEqualTo(PipelineException.Kind.NoEdge));
    sink.attach(CHARS);
    assertThatThrownBy(() -> sink.attach(CHARS))
        .isInstanceOfSatisfying(PipelineException.class, e -> assertThat(e.kind()).isEqualTo(PipelineException.Kind.EdgeAlreadySet));
    assertThat(frontend.generate(Context.of("ab")).toList()).hasSize(2);
  }

  @Test
  void responseWithNoWaitingCallerIsDetachedAndStopped() {
    ServiceFrontend<Context<String>, ResponseStream<Annotated<String>>> frontend = ServiceFrontend.create();
    Context<String> ctx = Context.of("x");
    ResponseStream<Annotated<String>> stray = ResponseStream.generate(ctx, out -> out.emit(Annotated.fromData("x")));
    assertThatThrownBy(() -> frontend.onData(stray))
        .isInstanceOfSatisfying(
            PipelineException.class, e -> assertThat(e.kind()).isEqualTo(PipelineException.Kind.DetachedStreamReceiver));
    assertThat(ctx.isStopped()).isTrue();
  }

  @Test
  void engineFailurePropagatesToTheCaller() {
    ServiceFrontend<Context<String>, ResponseStream<Annotated<String>>> frontend = ServiceFrontend.create();
    frontend.link(ServiceBackend.<Context<String>, ResponseStream<Annotated<String>>>fromEngine(req -> {
      throw new IllegalStateException("engine down");
    })).link(frontend);
    assertThatThrownBy(() -> frontend.generate(Context.of("x"))).hasMessageContaining("engine down");
    // the slot was released: the same id can be used again
    assertThatThrownBy(() -> frontend.generate(Context.of("x"))).hasMessageContaining("engine down");
  }
}
