package dev.dynamo4j.internal.network;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.engine.AsyncEngine;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.Controller;
import dev.dynamo4j.engine.RequestStream;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.error.DynamoError;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.network.IngressMetrics;
import dev.dynamo4j.spi.network.FrameChannel;
import dev.dynamo4j.spi.network.RequestHandler;
import dev.dynamo4j.wire.ControlMessage;
import dev.dynamo4j.wire.Json;
import dev.dynamo4j.wire.PayloadCodec;
import dev.dynamo4j.wire.RequestControlMessage;
import dev.dynamo4j.wire.ResponseStreamPrologue;
import dev.dynamo4j.wire.StreamWrapper;
import dev.dynamo4j.wire.TwoPartMessage;
import dev.dynamo4j.wire.WireFormatException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
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
  private final AsyncEngine<Context<RequestStream<Req>>, ResponseStream<Resp>> streamingEngine;
  private final JavaType requestType;
  private final ResponsePlanes planes;
  private final long maxMessageSize;
  private final EndpointMetrics metrics = new EndpointMetrics();
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
      AsyncEngine<Context<RequestStream<Req>>, ResponseStream<Resp>> streamingEngine,
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
      AsyncEngine<Context<RequestStream<Req>>, ResponseStream<Resp>> engine,
      JavaType requestType,
      ResponsePlanes planes,
      long maxMessageSize) {
    return new Ingress<>(name, null, engine, requestType, planes, maxMessageSize);
  }

  public IngressMetrics metrics() {
    return metrics;
  }

  private volatile Supplier<?> statsHandler;

  /** Sets what {@link #stats()} reports (Dynamo's per-endpoint stats handler); null for nothing. */
  public Ingress<Req, Resp> statsHandler(Supplier<?> handler) {
    this.statsHandler = handler;
    return this;
  }

  @Override
  public Object stats() {
    Supplier<?> h = statsHandler;
    return h == null ? null : h.get();
  }

  /** Kills every request still running (the last step of a shutdown whose drain timed out). */
  public void killAll() {
    for (Controller c : live) {
      c.kill();
    }
  }

  /**
   * Runs one canary request through this endpoint's own engine (Dynamo's newest health check
   * dispatches through the locally registered engine): {@code payload} converted to the request
   * type. Not counted in this endpoint's metrics.
   *
   * @throws DynamoException {@code InvalidArgument} when the payload does not fit the request
   *     type, or when this endpoint takes a stream of requests (no canary for those)
   */
  public ResponseStream<Resp> canary(JsonNode payload, Controller controller) throws Exception {
    if (engine == null) {
      throw new DynamoException(ErrorType.InvalidArgument, name + " takes a stream of requests; canaries are not supported there");
    }
    Req request;
    try {
      request = Json.MAPPER.convertValue(payload, requestType);
    } catch (IllegalArgumentException e) {
      throw new DynamoException(ErrorType.InvalidArgument, "health check payload does not fit " + requestType + ": " + e.getMessage(), e);
    }
    return engine.generate(Context.withController(request, controller));
  }

  @Override
  public void onRejected() {
    metrics.rejected.increment();
  }

  /** Whether this endpoint takes a stream of requests ({@code many_in}). */
  public boolean takesStream() {
    return engine == null;
  }

  /** Requests this endpoint has finished handling (a canary waits for a quiet period of these). */
  public long completed() {
    long n = 0;
    for (long c : metrics.durationCounts()) {
      n += c;
    }
    return n;
  }

  @Override
  public void handle(byte[] payload, Map<String, String> headers) {
    long start = System.nanoTime();
    metrics.requests.increment();
    metrics.inflight.incrementAndGet();
    metrics.requestBytes.add(payload.length);
    try {
      serve(payload);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      metrics.inflight.decrementAndGet();
      metrics.observeSince(start);
    }
  }

  /** A decoded request, ready to be answered. */
  private record Prepared(RequestControlMessage control, PayloadCodec codec, boolean manyIn, Object request, DynamoException badRequest) {}

  /** Decodes the envelope and body; null when the request is dropped (logged and counted). */
  private Prepared prepare(byte[] payload) {
    TwoPartMessage envelope;
    try {
      envelope = TwoPartMessage.decode(payload, maxMessageSize);
    } catch (WireFormatException e) {
      metrics.error(IngressMetrics.INVALID_MESSAGE);
      log.warn("{}: dropping request with a malformed envelope: {}", name, e.getMessage());
      return null;
    }
    if (!envelope.hasHeader()) {
      metrics.error(IngressMetrics.INVALID_MESSAGE);
      log.warn("{}: dropping request without a control header", name);
      return null;
    }
    RequestControlMessage control;
    try {
      control = RequestControlMessage.fromJson(envelope.header());
    } catch (WireFormatException e) {
      metrics.error(IngressMetrics.DESERIALIZATION);
      log.warn("{}: dropping request with an unreadable control message: {}", name, e.getMessage());
      return null;
    }
    PayloadCodec codec = control.payloadCodec();
    boolean manyIn = control.requestType() == RequestControlMessage.RequestType.MANY_IN;
    Object request = null;
    DynamoException badRequest = null;
    if (manyIn) {
      if (streamingEngine == null) {
        badRequest = new DynamoException(ErrorType.InvalidArgument, name + " does not take a stream of requests (request_type many_in)");
      } else if (control.requestStreamConnectionInfo() == null) {
        metrics.error(IngressMetrics.INVALID_MESSAGE);
        badRequest = new DynamoException(ErrorType.InvalidArgument, "request " + control.id() + " is many_in but has no request_stream_connection_info");
      } else if (envelope.hasData()) {
        // Dynamo's bidirectional ingress refuses the same: every input travels on the request stream.
        metrics.error(IngressMetrics.INVALID_MESSAGE);
        badRequest = new DynamoException(ErrorType.InvalidArgument, "bidirectional engine received a non-header-only envelope (request " + control.id() + ")");
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
    return new Prepared(control, codec, manyIn, request, badRequest);
  }

  private void serve(byte[] payload) throws InterruptedException {
    Prepared p = prepare(payload);
    if (p != null) {
      dialAndServe(p);
    }
  }

  private void dialAndServe(Prepared p) throws InterruptedException {
    RequestControlMessage control = p.control();
    FrameChannel channel;
    try {
      channel = planes.dial(control.connectionInfo(), control.id());
    } catch (DynamoException e) {
      metrics.error(IngressMetrics.RESPONSE_STREAM);
      log.warn("{}: cannot call home for request {}: {}", name, control.id(), e.getMessage());
      return;
    }
    try {
      if (p.badRequest() != null) {
        sendErrorPrologue(channel, p.badRequest());
        return;
      }
      Controller controller = new Controller(control.id());
      live.add(controller);
      FrameChannel input = null;
      try {
        if (p.manyIn()) {
          try {
            input = planes.dial(control.requestStreamConnectionInfo(), control.id());
          } catch (DynamoException e) {
            metrics.error(IngressMetrics.RESPONSE_STREAM);
            sendErrorPrologue(channel, new DynamoException(ErrorType.CannotConnect, "cannot open the request stream: " + e.getMessage(), e));
            return;
          }
          RequestStream<Req> inputStream = RequestStream.of(ResponseStream.fromSource(controller, new InputFrames<>(input, p.codec(), requestType, controller)));
          Context<RequestStream<Req>> ctx = Context.withController(inputStream, controller);
          run(controller, () -> streamingEngine.generate(ctx), p.codec(), channel);
        } else {
          Context<Req> ctx = Context.withController(requestOf(p), controller);
          run(controller, () -> engine.generate(ctx), p.codec(), channel);
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

  @SuppressWarnings("unchecked")
  private Req requestOf(Prepared p) {
    return (Req) p.request(); // decoded as requestType, which is Req's type
  }

  // ---- direct mode ----

  @Override
  public boolean direct() {
    return direct;
  }

  /**
   * Serves this endpoint in direct mode (see {@link dev.dynamo4j.runtime.Endpoint#direct}): a
   * request whose response stream can be opened without waiting (an established multiplexed
   * connection to its caller) runs its engine on the transport's I/O thread, and a stream that
   * {@link ResponseStream#drainsWithoutWaiting drains without waiting} is written there too;
   * everything else continues on a virtual thread as usual.
   */
  public Ingress<Req, Resp> direct(boolean on) {
    this.direct = on;
    return this;
  }

  private volatile boolean direct;

  @Override
  public RequestHandler.Continuation handleDirect(byte[] payload, Map<String, String> headers) {
    long start = System.nanoTime();
    RequestHandler.Continuation rest = handleDirect0(payload);
    if (rest == null) {
      metrics.observeSince(start); // answered (or dropped) on the I/O thread
      return null;
    }
    return new RequestHandler.Continuation() {
      @Override
      public void run() {
        try {
          rest.run();
        } finally {
          metrics.observeSince(start);
        }
      }

      @Override
      public void refused() {
        try {
          rest.refused();
        } finally {
          metrics.observeSince(start);
        }
      }
    };
  }

  private RequestHandler.Continuation handleDirect0(byte[] payload) {
    metrics.requests.increment();
    metrics.requestBytes.add(payload.length);
    Prepared p = prepare(payload);
    if (p == null) {
      return null;
    }
    if (p.manyIn()) {
      return onVirtualThread(() -> dialAndServe(p)); // reads its input stream: waits by nature
    }
    FrameChannel channel;
    try {
      channel = planes.dialNow(p.control().connectionInfo(), p.control().id());
    } catch (DynamoException e) {
      metrics.error(IngressMetrics.RESPONSE_STREAM);
      log.warn("{}: cannot call home for request {}: {}", name, p.control().id(), e.getMessage());
      return null;
    }
    if (channel == null) {
      return onVirtualThread(() -> dialAndServe(p)); // no established connection: dialling waits
    }
    metrics.inflight.incrementAndGet();
    try {
      return serveDirect(p, channel);
    } finally {
      metrics.inflight.decrementAndGet();
    }
  }

  /** Work of a direct request that continues on a virtual thread, counted as in flight there. */
  private RequestHandler.Continuation onVirtualThread(Work work) {
    return new RequestHandler.Continuation() {
      @Override
      public void run() {
        metrics.inflight.incrementAndGet();
        try {
          work.run();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          metrics.inflight.decrementAndGet();
        }
      }

      @Override
      public void refused() {
        // nothing was opened yet: the overloaded ACK tells the caller
      }
    };
  }

  @FunctionalInterface
  private interface Work {
    void run() throws InterruptedException;
  }

  /** On the I/O thread: a single-in request whose response stream is open. */
  private RequestHandler.Continuation serveDirect(Prepared p, FrameChannel channel) {
    if (p.badRequest() != null) {
      sendErrorPrologueNow(channel, p.badRequest());
      channel.close();
      return null;
    }
    Controller controller = new Controller(p.control().id());
    live.add(controller);
    controller.killed().thenRun(channel::close);
    ControlListener control = new ControlListener(controller);
    if (!channel.listen(control)) {
      throw new IllegalStateException("a channel from dialNow delivers control frames by push");
    }
    Runnable finish = () -> {
      control.finished = true;
      live.remove(controller);
      channel.close();
    };
    ResponseStream<Resp> stream;
    try {
      stream = engine.generate(Context.withController(requestOf(p), controller));
      if (stream == null) {
        throw new DynamoException(ErrorType.Internal, "engine returned no stream");
      }
    } catch (Exception e) {
      metrics.error(IngressMetrics.GENERATE);
      sendErrorPrologueNow(channel, DynamoException.wrap(e));
      finish.run();
      return null;
    }
    if (!stream.drainsWithoutWaiting()) {
      // Items come from another thread: wait for them on a virtual thread, not here.
      return new RequestHandler.Continuation() {
        @Override
        public void run() {
          metrics.inflight.incrementAndGet();
          try {
            streamOut(controller, stream, p.codec(), channel, true);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            metrics.inflight.decrementAndGet();
            finish.run();
          }
        }

        @Override
        public void refused() {
          stream.close();
          controller.kill();
          finish.run();
        }
      };
    }
    try {
      streamOut(controller, stream, p.codec(), channel, false);
    } catch (InterruptedException e) {
      // sends from an I/O thread never wait, so nothing here waits to be interrupted
      log.warn("{}: request {} interrupted on the I/O thread", name, controller.id());
    } finally {
      finish.run();
    }
    return null;
  }

  private void sendErrorPrologueNow(FrameChannel channel, DynamoException e) {
    try {
      sendErrorPrologue(channel, e);
    } catch (InterruptedException ie) {
      log.warn("{}: error prologue interrupted: {}", name, ie.toString());
    }
  }

  /** Calls the engine; may throw whatever the engine throws. */
  @FunctionalInterface
  private interface Invocation<Resp> {
    ResponseStream<Resp> generate() throws Exception;
  }

  /**
   * The caller's request stream as items: the body of each data-only frame is one request in
   * the request's codec, not wrapped (Dynamo's {@code decode_request} on the request stream,
   * spec T2); the stream ends with exactly one header-only control frame: {@code sentinel}
   * (done), {@code stop} (the request is stopped) or {@code kill} (killed). A connection that
   * ends without one kills the request and fails the input with {@code Disconnected}; a body
   * that does not decode kills the request (as Dynamo's worker does) and fails the input with
   * {@code InvalidArgument}.
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
      try {
        return codec.decode(f.data(), type);
      } catch (WireFormatException e) {
        ended = true;
        controller.kill();
        channel.close();
        throw new DynamoException(ErrorType.InvalidArgument, "cannot decode an item of the request stream: " + e.getMessage(), e);
      }
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
      streamOut(ctx, stream, codec, channel, true);
    } finally {
      control.finished = true;
      if (readerThread != null) {
        readerThread.interrupt();
      }
    }
  }

  /**
   * The prologue, every item of {@code stream}, then the final marker and sentinel. With {@code
   * interruptible} (a virtual thread) a stop interrupts a send that waits for the caller; on an
   * I/O thread sends never wait and nothing is interrupted.
   */
  private void streamOut(Controller ctx, ResponseStream<Resp> stream, PayloadCodec codec, FrameChannel channel, boolean interruptible)
      throws InterruptedException {
    try (stream) {
      channel.send(ResponseStreamPrologue.OK.toFrame());
      boolean[] sendFailed = {false};
      SendGuard guard = new SendGuard(interruptible);
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
    private final boolean interruptible;
    private Thread sending;
    private boolean stopped;

    SendGuard(boolean interruptible) {
      this.interruptible = interruptible;
    }

    synchronized boolean begin() {
      if (stopped) {
        return false;
      }
      sending = Thread.currentThread();
      return true;
    }

    synchronized void end() {
      sending = null;
      if (stopped && interruptible) {
        Thread.interrupted(); // the interrupt was ours, for the send just abandoned or finished
      }
    }

    synchronized void stop() {
      stopped = true;
      if (sending != null && interruptible) {
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
