package dev.dynamo4j.network;

import com.fasterxml.jackson.databind.JavaType;
import dev.dynamo4j.engine.AsyncEngine;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.Controller;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.error.DynamoError;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.wire.ControlMessage;
import dev.dynamo4j.wire.PayloadCodec;
import dev.dynamo4j.wire.RequestControlMessage;
import dev.dynamo4j.wire.ResponseStreamPrologue;
import dev.dynamo4j.wire.StreamWrapper;
import dev.dynamo4j.wire.TwoPartMessage;
import dev.dynamo4j.wire.WireFormatException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker side of one served endpoint, the same for every request plane: decodes the request
 * envelope, rebuilds the {@link Context} with the caller's id, calls home, runs the engine and
 * streams its items back.
 *
 * <p>Per request, on the handler's virtual thread: the prologue ({@code {"error":null}}, or the
 * error and its {@code typed_error} when {@code generate} throws), then one data-only frame per
 * item, then {@code {"complete_final":true}} and {@code "sentinel"}. A second virtual thread reads
 * the caller's {@code stop}/{@code kill} and applies them to the request's controller; a caller
 * that disconnects kills it. After a stop the items already produced are still sent, but no
 * final marker and no sentinel. If the engine's stream fails midway, the connection is closed
 * without the final marker and the caller reports the stream as incomplete: engines that want to
 * report an error to the caller yield an error item (for example {@code Annotated.fromError}).
 *
 * <p>Unlike Dynamo, a request body that cannot be decoded is still answered: the worker calls
 * home and sends an error prologue of type {@code InvalidArgument}, so the caller does not wait
 * for a stream that never comes.
 */
public final class Ingress<Req, Resp> implements RequestHandler {
  private static final Logger log = LoggerFactory.getLogger(Ingress.class);

  private final String name;
  private final AsyncEngine<Context<Req>, ResponseStream<Resp>> engine;
  private final AsyncEngine<Context<ResponseStream<Req>>, ResponseStream<Resp>> streamingEngine;
  private final JavaType requestType;
  private final ResponsePlanes planes;
  private final long maxMessageSize;
  private final IngressMetrics metrics = new IngressMetrics();
  private final Set<Controller> live = ConcurrentHashMap.newKeySet();

  public Ingress(
      String name,
      AsyncEngine<Context<Req>, ResponseStream<Resp>> engine,
      JavaType requestType,
      ResponsePlanes planes,
      long maxMessageSize) {
    this(name, engine, null, requestType, planes, maxMessageSize);
  }

  private Ingress(
      String name,
      AsyncEngine<Context<Req>, ResponseStream<Resp>> engine,
      AsyncEngine<Context<ResponseStream<Req>>, ResponseStream<Resp>> streamingEngine,
      JavaType requestType,
      ResponsePlanes planes,
      long maxMessageSize) {
    this.name = name;
    this.engine = engine;
    this.streamingEngine = streamingEngine;
    this.requestType = requestType;
    this.planes = planes;
    this.maxMessageSize = maxMessageSize;
  }

  /**
   * An ingress for an engine that takes a stream of requests ({@code many_in}): the worker dials
   * the caller's request stream and hands its items to the engine as they arrive.
   */
  public static <Req, Resp> Ingress<Req, Resp> forStreamingInput(
      String name,
      AsyncEngine<Context<ResponseStream<Req>>, ResponseStream<Resp>> engine,
      JavaType requestType,
      ResponsePlanes planes,
      long maxMessageSize) {
    return new Ingress<>(name, null, engine, requestType, planes, maxMessageSize);
  }

  public IngressMetrics metrics() {
    return metrics;
  }

  private volatile java.util.function.Supplier<?> statsHandler;

  /** Sets what {@link #stats()} reports (Dynamo's per-endpoint stats handler); null for nothing. */
  public Ingress<Req, Resp> statsHandler(java.util.function.Supplier<?> handler) {
    this.statsHandler = handler;
    return this;
  }

  @Override
  public Object stats() {
    java.util.function.Supplier<?> h = statsHandler;
    return h == null ? null : h.get();
  }

  /** Kills every request still running (the last step of a shutdown whose drain timed out). */
  public void killAll() {
    for (Controller c : live) {
      c.kill();
    }
  }

  @Override
  public void handle(byte[] payload, Map<String, String> headers) {
    metrics.requests.increment();
    metrics.inflight.incrementAndGet();
    metrics.requestBytes.add(payload.length);
    try {
      serve(payload);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      metrics.inflight.decrementAndGet();
    }
  }

  private void serve(byte[] payload) throws InterruptedException {
    TwoPartMessage envelope;
    try {
      envelope = TwoPartMessage.decode(payload, maxMessageSize);
    } catch (WireFormatException e) {
      metrics.error(IngressMetrics.INVALID_MESSAGE);
      log.warn("{}: dropping request with a malformed envelope: {}", name, e.getMessage());
      return;
    }
    if (!envelope.hasHeader()) {
      metrics.error(IngressMetrics.INVALID_MESSAGE);
      log.warn("{}: dropping request without a control header", name);
      return;
    }
    RequestControlMessage control;
    try {
      control = RequestControlMessage.fromJson(envelope.header());
    } catch (WireFormatException e) {
      metrics.error(IngressMetrics.DESERIALIZATION);
      log.warn("{}: dropping request with an unreadable control message: {}", name, e.getMessage());
      return;
    }
    PayloadCodec codec = control.payloadCodec();
    boolean manyIn = control.requestType() == RequestControlMessage.RequestType.MANY_IN;
    Req request = null;
    DynamoException badRequest = null;
    if (manyIn) {
      if (streamingEngine == null) {
        badRequest = new DynamoException(ErrorType.InvalidArgument, name + " does not take a stream of requests (request_type many_in)");
      } else if (control.requestStreamConnectionInfo() == null) {
        metrics.error(IngressMetrics.INVALID_MESSAGE);
        badRequest = new DynamoException(ErrorType.InvalidArgument, "request " + control.id() + " is many_in but has no request_stream_connection_info");
      }
    } else if (engine == null) {
      badRequest = new DynamoException(ErrorType.InvalidArgument, name + " takes a stream of requests (many_in), not a single one");
    } else if (!envelope.hasData()) {
      metrics.error(IngressMetrics.INVALID_MESSAGE);
      badRequest = new DynamoException(ErrorType.InvalidArgument, "request " + control.id() + " has no body");
    } else {
      try {
        request = codec.decode(envelope.data(), requestType);
      } catch (WireFormatException e) {
        metrics.error(IngressMetrics.DESERIALIZATION);
        badRequest = new DynamoException(ErrorType.InvalidArgument, "cannot decode request: " + e.getMessage(), e);
      }
    }

    FrameChannel channel;
    try {
      channel = planes.dial(control.connectionInfo(), control.id());
    } catch (DynamoException e) {
      metrics.error(IngressMetrics.RESPONSE_STREAM);
      log.warn("{}: cannot call home for request {}: {}", name, control.id(), e.getMessage());
      return;
    }
    try {
      if (badRequest != null) {
        sendErrorPrologue(channel, badRequest);
        return;
      }
      Controller controller = new Controller(control.id());
      live.add(controller);
      FrameChannel input = null;
      try {
        if (manyIn) {
          try {
            input = planes.dial(control.requestStreamConnectionInfo(), control.id());
          } catch (DynamoException e) {
            metrics.error(IngressMetrics.RESPONSE_STREAM);
            sendErrorPrologue(channel, new DynamoException(ErrorType.CannotConnect, "cannot open the request stream: " + e.getMessage(), e));
            return;
          }
          ResponseStream<Req> inputStream = ResponseStream.fromSource(controller, new InputFrames<>(input, codec, requestType, controller));
          Context<ResponseStream<Req>> ctx = Context.withController(inputStream, controller);
          run(controller, () -> streamingEngine.generate(ctx), codec, channel);
        } else {
          Context<Req> ctx = Context.withController(request, controller);
          run(controller, () -> engine.generate(ctx), codec, channel);
        }
      } finally {
        live.remove(controller);
        if (input != null) {
          input.close();
        }
      }
    } finally {
      channel.close();
    }
  }

  /** Calls the engine; may throw whatever the engine throws. */
  @FunctionalInterface
  private interface Invocation<Resp> {
    ResponseStream<Resp> generate() throws Exception;
  }

  /**
   * The caller's request stream as items: data-only frames are wrappers whose data is one
   * request; the stream ends with exactly one header-only control frame: {@code sentinel} (done),
   * {@code stop} (the request is stopped) or {@code kill} (killed). A connection that ends
   * without one kills the request and fails the input with {@code Disconnected}.
   */
  private static final class InputFrames<T> implements ResponseStream.ItemSource<T> {
    private final FrameChannel channel;
    private final PayloadCodec codec;
    private final JavaType type;
    private final Controller controller;
    private boolean ended;

    InputFrames(FrameChannel channel, PayloadCodec codec, JavaType type, Controller controller) {
      this.channel = channel;
      this.codec = codec;
      this.type = type;
      this.controller = controller;
    }

    @Override
    public T next() throws InterruptedException {
      if (ended) {
        return null;
      }
      TwoPartMessage f = channel.receive();
      if (f == null) {
        ended = true;
        controller.kill();
        throw new DynamoException(ErrorType.Disconnected, "request stream ended without sentinel, stop or kill");
      }
      if (f.isHeaderOnly()) {
        ended = true;
        switch (ControlMessage.fromJson(f.header())) {
          case SENTINEL -> {}
          case STOP -> controller.stop();
          case KILL -> controller.kill();
        }
        return null;
      }
      StreamWrapper w = StreamWrapper.decode(codec, f.data());
      if (w.data() == null) {
        return next();
      }
      return PayloadCodec.convert(w.data(), type, "RequestStream");
    }

    @Override
    public void cancel() {
      ended = true;
      channel.close();
    }
  }

  private void run(Controller ctx, Invocation<Resp> invocation, PayloadCodec codec, FrameChannel channel) throws InterruptedException {
    // Kill means "do not drain": drop the connection so a send blocked on a slow caller returns.
    ctx.killed().thenRun(channel::close);
    ControlListener control = new ControlListener(ctx);
    Thread readerThread = null;
    if (!channel.listen(control)) {
      readerThread = Thread.ofVirtual().name("dynamo4j-ingress-control-" + ctx.id()).start(() -> control.readFrom(channel));
    }
    try {
      ResponseStream<Resp> stream;
      try {
        stream = invocation.generate();
        if (stream == null) {
          throw new DynamoException(ErrorType.Internal, "engine returned no stream");
        }
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        metrics.error(IngressMetrics.GENERATE);
        sendErrorPrologue(channel, DynamoException.wrap(e));
        return;
      }
      try (stream) {
        channel.send(ResponseStreamPrologue.OK.toFrame());
        boolean[] sendFailed = {false};
        SendGuard guard = new SendGuard();
        ctx.stopped().thenRun(guard::stop);
        try {
          // A generate() engine runs right here: each item is encoded and queued for the socket
          // on this thread, with no producer thread and no buffer in between. A send waiting for
          // a slow caller is abandoned when the request is stopped, so emit() returns false then
          // as it does on a buffered stream (the engine must see the stop).
          stream.drainTo(item -> {
            if (!guard.begin()) {
              return false;
            }
            byte[] bytes = StreamWrapper.encodeItem(codec, item);
            metrics.responseBytes.add(bytes.length);
            try {
              channel.send(TwoPartMessage.dataOnly(bytes));
              return true;
            } catch (InterruptedException e) {
              if (ctx.isStopped()) {
                return false;
              }
              throw e;
            } catch (DynamoException e) {
              metrics.error(IngressMetrics.PUBLISH_RESPONSE);
              ctx.stop();
              sendFailed[0] = true;
              return false;
            } finally {
              guard.end();
            }
          });
        } catch (DynamoException e) {
          metrics.error(IngressMetrics.GENERATE);
          log.warn("{}: stream of request {} failed: {}", name, ctx.id(), e.toString());
          return; // no final marker: the caller reports the stream as incomplete
        }
        if (sendFailed[0] || ctx.isStopped()) {
          return;
        }
        try {
          channel.send(TwoPartMessage.dataOnly(StreamWrapper.encodeFinal(codec)));
          channel.send(ControlMessage.SENTINEL.toFrame());
        } catch (DynamoException e) {
          metrics.error(IngressMetrics.PUBLISH_FINAL);
        }
      }
    } finally {
      control.finished = true;
      if (readerThread != null) {
        readerThread.interrupt();
      }
    }
  }

  private void sendErrorPrologue(FrameChannel channel, DynamoException e) throws InterruptedException {
    DynamoError typed = e.toDynamoError();
    try {
      channel.send(new ResponseStreamPrologue(e.getMessage() == null ? e.toString() : e.getMessage(), typed).toFrame());
    } catch (DynamoException sendFailure) {
      log.debug("{}: could not send error prologue: {}", name, sendFailure.getMessage());
    }
  }

  /**
   * Lets a stop interrupt the handler thread only while it waits in a send (never while it runs
   * the engine): {@link #stop} interrupts under the same lock {@link #end} clears it under.
   */
  private static final class SendGuard {
    private Thread sending;
    private boolean stopped;

    synchronized boolean begin() {
      if (stopped) {
        return false;
      }
      sending = Thread.currentThread();
      return true;
    }

    synchronized void end() {
      sending = null;
      if (stopped) {
        Thread.interrupted(); // the interrupt was ours, for the send just abandoned or finished
      }
    }

    synchronized void stop() {
      stopped = true;
      if (sending != null) {
        sending.interrupt();
      }
    }
  }

  /**
   * Applies the caller's stop/kill; a caller that goes away kills the request. Pushed frames
   * arrive on the transport's I/O thread, so stop and kill (which run the engine's listeners) are
   * handed to a virtual thread: a hand-off only when the caller actually cancels.
   */
  private static final class ControlListener implements FrameChannel.Listener {
    private final Controller controller;
    volatile boolean finished;

    ControlListener(Controller controller) {
      this.controller = controller;
    }

    @Override
    public void frame(TwoPartMessage frame) {
      ControlMessage c;
      if (!frame.isHeaderOnly()) {
        log.warn("caller sent a data frame on response stream {}; killing it", controller.id());
        c = ControlMessage.KILL;
      } else {
        try {
          c = ControlMessage.fromJson(frame.header());
        } catch (WireFormatException e) {
          log.warn("malformed control frame on response stream {}: {}", controller.id(), e.getMessage());
          c = ControlMessage.KILL;
        }
        if (c == ControlMessage.SENTINEL) {
          log.warn("caller sent a sentinel on response stream {}; killing it", controller.id());
          c = ControlMessage.KILL;
        }
      }
      apply(c);
    }

    @Override
    public void end(Throwable error) {
      if (!finished) {
        apply(ControlMessage.KILL);
      }
    }

    private void apply(ControlMessage c) {
      if (c == ControlMessage.KILL ? controller.isKilled() : controller.isStopped()) {
        return;
      }
      Thread.ofVirtual().name("dynamo4j-ingress-cancel-" + controller.id()).start(c == ControlMessage.KILL ? controller::kill : controller::stop);
    }

    /** The pull form, for transports without push delivery: one virtual thread per request. */
    void readFrom(FrameChannel channel) {
      try {
        while (!finished) {
          TwoPartMessage frame = channel.receive(); // ends: the response's end interrupts this thread
          if (frame == null) {
            end(null);
            return;
          }
          frame(frame);
        }
      } catch (InterruptedException e) {
        // the response is finished; nothing more to read
      } catch (WireFormatException e) {
        log.warn("malformed frame on response stream {}: {}", controller.id(), e.getMessage());
        end(e);
      }
    }
  }
}
