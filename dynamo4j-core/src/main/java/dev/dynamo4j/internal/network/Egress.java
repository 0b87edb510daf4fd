package dev.dynamo4j.internal.network;

import com.fasterxml.jackson.databind.JavaType;
import dev.dynamo4j.discovery.Instance;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.Controller;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.error.DynamoError;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.spi.config.ResponseStreamOptions;
import dev.dynamo4j.spi.network.FrameChannel;
import dev.dynamo4j.spi.network.PendingStream;
import dev.dynamo4j.spi.network.RequestClient;
import dev.dynamo4j.spi.network.ResponsePlane;
import dev.dynamo4j.wire.ControlMessage;
import dev.dynamo4j.wire.PayloadCodec;
import dev.dynamo4j.wire.RequestControlMessage.RequestType;
import dev.dynamo4j.wire.RequestControlMessage.ResponseType;
import dev.dynamo4j.wire.RequestControlMessage;
import dev.dynamo4j.wire.ResponseStreamPrologue;
import dev.dynamo4j.wire.StreamType;
import dev.dynamo4j.wire.StreamWrapper;
import dev.dynamo4j.wire.TwoPartMessage;
import dev.dynamo4j.wire.WireFormatException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caller side of one request to one chosen instance, the same for every request plane.
 *
 * <p>{@link #generate} registers a response stream, sends the envelope (control message with the
 * stream's connection info, body in the codec the worker advertises), waits for the ACK and then
 * for the worker to call home and send its prologue, and returns a {@link ResponseStream} whose
 * items are decoded on the consumer's thread (no extra hand-off). Stream rules follow Dynamo: an
 * item after the final marker, or a wrapper with neither data nor the final flag, is an error; an
 * end without the final marker is {@code Disconnected} unless the caller had stopped; an error
 * prologue is {@code CannotConnect} carrying the worker's text and typed error.
 *
 * <p>Stopping or killing the request's controller sends {@code stop} or {@code kill} to the
 * worker; closing the returned stream early stops it.
 */
public final class Egress {
  private static final Logger log = LoggerFactory.getLogger(Egress.class);
  private static final Set<String> MIGRATION_SENSITIVE =
      Set.of("request.cancelled", "backend.cancelled", "capacity.exhausted", "capacity.pool_exhausted");

  private final RequestClient client;
  private final ResponsePlane responsePlane;
  private final ResponseStreamOptions options;
  private final Map<Long, Set<PendingStream>> pendingByInstance = new ConcurrentHashMap<>();

  /** With the default deadlines of {@link ResponseStreamOptions#DEFAULTS}. */
  public Egress(RequestClient client, ResponsePlane responsePlane) {
    this(client, responsePlane, ResponseStreamOptions.DEFAULTS);
  }

  /**
   * @param options the deadlines: worker opens the stream ({@code callHomeTimeout}), prologue
   *     ({@code prologueTimeout}), first and each next item ({@code inactivityTimeout})
   */
  public Egress(RequestClient client, ResponsePlane responsePlane, ResponseStreamOptions options) {
    this.client = client;
    this.responsePlane = responsePlane;
    this.options = options;
  }

  /**
   * Fails every request to {@code instanceId} still waiting for its worker to call home (the
   * worker left discovery); established streams are left to drain.
   */
  public void cancelPending(long instanceId, String why) {
    Set<PendingStream> set = pendingByInstance.remove(instanceId);
    if (set != null) {
      for (PendingStream p : set) {
        p.cancel(new DynamoException(ErrorType.Disconnected, why));
      }
    }
  }

  /**
   * Sends {@code request} to {@code target} and returns its response stream once the worker's
   * prologue has arrived. Blocks; meant for virtual threads.
   *
   * @throws DynamoException {@code WorkerOverloaded} / {@code WorkerUnavailable} for a rejecting
   *     ACK, {@code CannotConnect} when the request cannot be delivered or the worker's engine
   *     failed before streaming, {@code Disconnected} when the worker went away before streaming,
   *     {@code ResponseTimeout} when the worker did not open the stream or send its prologue
   *     within the configured deadlines (the stream's items then fail with {@code
   *     ResponseTimeout} too when none arrives within the inactivity deadline)
   */
  public <Req, Resp> ResponseStream<Resp> generate(Instance target, Context<Req> request, JavaType responseType)
      throws InterruptedException {
    PayloadCodec codec = target.effectiveCodec();
    byte[] body = codec.encode(request.value());
    return dispatch(target, request.controller(), codec, body, null, responseType);
  }

  /**
   * Sends a bidirectional request ({@code many_in}): the items of {@code inputs} go to the worker
   * over a request stream as they come (on a virtual thread of their own, started before this
   * waits for the prologue), ended by {@code sentinel}, or by {@code stop} / {@code kill} when the
   * request's controller is stopped or killed first. The request envelope is header-only; each
   * input is one data-only frame whose body is the input itself in the worker's codec (JSON
   * {@code 10}, not a wrapper), as Dynamo's {@code spawn_request_stream_forwarder} writes it and
   * its worker reads it (spec T2). An input that cannot be encoded kills the request.
   */
  public <Req, Resp> ResponseStream<Resp> generateStreaming(
      Instance target, Controller controller, Iterable<? extends Req> inputs, JavaType responseType) throws InterruptedException {
    PayloadCodec codec = target.effectiveCodec();
    return dispatch(target, controller, codec, null, inputs, responseType);
  }

  private <Resp> ResponseStream<Resp> dispatch(
      Instance target, Controller controller, PayloadCodec codec, byte[] body, Iterable<?> inputs, JavaType responseType)
      throws InterruptedException {
    String id = controller.id();
    PendingStream pending = responsePlane.expect(id);
    PendingStream pendingInput = inputs == null ? null : responsePlane.expect(id, StreamType.REQUEST);
    Set<PendingStream> forInstance = pendingByInstance.computeIfAbsent(target.instanceId(), k -> ConcurrentHashMap.newKeySet());
    forInstance.add(pending);
    if (pendingInput != null) {
      forInstance.add(pendingInput);
    }
    FrameChannel channel;
    try {
      long sendTs = System.currentTimeMillis() * 1_000_000L;
      RequestControlMessage control =
          new RequestControlMessage(
              id,
              inputs == null ? RequestType.SINGLE_IN : RequestType.MANY_IN,
              ResponseType.MANY_OUT,
              codec,
              pending.connectionInfo(),
              Map.of(),
              null,
              pendingInput == null ? null : pendingInput.connectionInfo());
      byte[] envelope = (body == null ? TwoPartMessage.headerOnly(control.toJson()) : new TwoPartMessage(control.toJson(), body)).encode();
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("request-id", id);
      headers.put("x-frontend-send-ts-ns", Long.toString(sendTs));
      // The caller is not woken for the ACK: a rejection or a missing ACK fails the stream's
      // registration, so the one wake-up is the worker's stream arriving (or that failure).
      client.sendAsync(target.transport(), headers, envelope).whenComplete((ok, failure) -> {
        if (failure != null) {
          DynamoException e = DynamoException.wrap(failure instanceof CompletionException ce && ce.getCause() != null ? ce.getCause() : failure);
          pending.cancel(e);
          if (pendingInput != null) {
            pendingInput.cancel(e);
          }
        }
      });
      if (pendingInput != null) {
        Thread.ofVirtual().name("dynamo4j-request-stream-" + id).start(() -> pumpInputs(pendingInput, inputs, codec, controller));
      }
      channel = pending.await(options.callHomeTimeout());
    } catch (InterruptedException | RuntimeException e) {
      pending.close();
      if (pendingInput != null) {
        pendingInput.close();
      }
      throw e;
    } finally {
      forInstance.remove(pending);
      if (pendingInput != null) {
        forInstance.remove(pendingInput);
      }
    }

    ResponseStreamPrologue prologue;
    try {
      TwoPartMessage first = channel.receive(options.prologueTimeout().toNanos(), TimeUnit.NANOSECONDS);
      if (first == null) {
        throw new DynamoException(ErrorType.Disconnected, "Worker disconnected before response stream was established");
      }
      prologue = ResponseStreamPrologue.fromFrame(first);
    } catch (TimeoutException e) {
      controller.kill();
      sendQuietly(channel, ControlMessage.KILL);
      channel.close();
      throw new DynamoException(
          ErrorType.ResponseTimeout,
          "no response prologue from the worker within " + options.prologueTimeout().toMillis() + " ms of opening the stream of request " + id + " (DYN_TCP_PROLOGUE_TIMEOUT_SECS)");
    } catch (WireFormatException e) {
      sendQuietly(channel, ControlMessage.KILL); // Dynamo's caller kills a stream it cannot decode (T4)
      channel.close();
      throw new DynamoException(ErrorType.Disconnected, e.getMessage(), e);
    } catch (InterruptedException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (prologue.isError()) {
      channel.close();
      DynamoError typed = prologue.typedError();
      DynamoException cause =
          typed == null || MIGRATION_SENSITIVE.contains(typed.effectiveReason()) ? null : typed.toException();
      throw new DynamoException(
          ErrorType.CannotConnect, "Worker generate() failed before response stream: " + prologue.error(), cause);
    }
    StreamSource<Resp> source = new StreamSource<>(channel, codec, responseType, controller, options);
    controller.stopped().thenRun(() -> source.sendControl(controller.isKilled() ? ControlMessage.KILL : ControlMessage.STOP));
    controller.killed().thenRun(() -> source.sendControl(ControlMessage.KILL));
    return ResponseStream.fromSource(controller, source);
  }

  private static void sendQuietly(FrameChannel channel, ControlMessage c) {
    try {
      channel.send(c.toFrame());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (DynamoException e) {
      log.debug("could not send {} to the worker: {}", c.wireName(), e.getMessage());
    }
  }

  /** Writes the caller's inputs to the request stream, then exactly one closing control frame. */
  private void pumpInputs(PendingStream pendingInput, Iterable<?> inputs, PayloadCodec codec, Controller controller) {
    FrameChannel ch;
    try {
      ch = pendingInput.await(options.callHomeTimeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (DynamoException e) {
      log.debug("request stream of {} never opened: {}", controller.id(), e.getMessage());
      return;
    }
    try (ch) {
      ControlMessage end = ControlMessage.SENTINEL;
      try {
        for (Object item : inputs) {
          if (controller.isStopped()) {
            break;
          }
          ch.send(TwoPartMessage.dataOnly(codec.encode(item)));
        }
      } catch (RuntimeException e) {
        log.warn("request stream of {} failed: {}", controller.id(), e.toString());
        end = ControlMessage.KILL;
      }
      if (controller.isKilled()) {
        end = ControlMessage.KILL;
      } else if (controller.isStopped() && end == ControlMessage.SENTINEL) {
        end = ControlMessage.STOP;
      }
      ch.send(end.toFrame());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (DynamoException e) {
      log.debug("request stream of {} closed early: {}", controller.id(), e.getMessage());
    }
  }

  /** Decodes response frames on the consumer's thread. */
  private static final class StreamSource<T> implements ResponseStream.ItemSource<T> {
    private final FrameChannel channel;
    private final PayloadCodec codec;
    private final JavaType type;
    private final Controller controller;
    private final long inactivityNanos;
    private boolean finalSeen;
    private volatile boolean ended;
    private ControlMessage lastControlSent;

    StreamSource(FrameChannel channel, PayloadCodec codec, JavaType type, Controller controller, ResponseStreamOptions options) {
      this.channel = channel;
      this.codec = codec;
      this.type = type;
      this.controller = controller;
      this.inactivityNanos = options.hasInactivityLimit() ? options.inactivityTimeout().toNanos() : 0;
    }

    private TwoPartMessage nextFrame() throws InterruptedException {
      try {
        if (inactivityNanos == 0) {
          return channel.receive(); // DYN_HTTP_BACKEND_STREAM_TIMEOUT_SECS=0: the operator chose no limit
        }
        return channel.receive(inactivityNanos, TimeUnit.NANOSECONDS);
      } catch (DynamoException e) {
        ended = true; // the worker aborted the stream (a transport that carries resets says why)
        channel.close();
        throw e;
      } catch (TimeoutException e) {
        controller.kill();
        sendControl(ControlMessage.KILL);
        ended = true;
        channel.close();
        throw new DynamoException(
            ErrorType.ResponseTimeout,
            "backend response inactivity timeout: no item from the worker within " + (inactivityNanos / 1_000_000) + " ms (DYN_HTTP_BACKEND_STREAM_TIMEOUT_SECS)");
      }
    }

    @Override
    public T next() throws InterruptedException {
      if (ended) {
        return null;
      }
      try {
        while (true) {
          TwoPartMessage frame = nextFrame();
          if (frame == null) {
            return end(finalSeen || controller.isStopped() ? null : incomplete());
          }
          if (frame.isHeaderOnly()) {
            ControlMessage c = ControlMessage.fromJson(frame.header());
            if (c == ControlMessage.SENTINEL) {
              return end(finalSeen || controller.isStopped() ? null : incomplete());
            }
            sendControl(ControlMessage.KILL);
            return end(new DynamoException(ErrorType.Disconnected, "worker sent '" + c.wireName() + "', which only callers may send"));
          }
          if (frame.hasHeader()) {
            sendControl(ControlMessage.KILL);
            return end(new DynamoException(ErrorType.Disconnected, "worker sent a frame with both header and data"));
          }
          if (!finalSeen) {
            Object scalar = StreamWrapper.decodeScalarItem(codec, frame.data(), type.getRawClass());
            if (scalar != null) {
              @SuppressWarnings("unchecked")
              T item = (T) scalar; // the wanted type is String or byte[], checked by decodeScalarItem
              return item;
            }
          }
          StreamWrapper w = StreamWrapper.decode(codec, frame.data());
          if (finalSeen) {
            sendControl(ControlMessage.KILL);
            return end(new DynamoException(ErrorType.Disconnected, "Response received after generation ended"));
          }
          if (w.data() != null) {
            if (w.completeFinal()) {
              finalSeen = true;
            }
            return PayloadCodec.convert(w.data(), type, StreamWrapper.FORMAT);
          }
          if (w.completeFinal()) {
            finalSeen = true;
            continue;
          }
          sendControl(ControlMessage.KILL);
          return end(new DynamoException(ErrorType.Disconnected, "Empty response received: neither data nor complete_final"));
        }
      } catch (WireFormatException e) {
        sendControl(ControlMessage.KILL);
        return end(new DynamoException(ErrorType.Disconnected, "undecodable response item: " + e.getMessage(), e));
      }
    }

    private static DynamoException incomplete() {
      return new DynamoException(ErrorType.Disconnected, "Stream ended before generation completed");
    }

    /** Ends the stream; throws {@code error} when there is one, else returns null. */
    private T end(DynamoException error) {
      ended = true;
      channel.close();
      if (error != null) {
        throw error;
      }
      return null;
    }

    synchronized void sendControl(ControlMessage c) {
      if (ended || c == lastControlSent || lastControlSent == ControlMessage.KILL) {
        return;
      }
      lastControlSent = c;
      try {
        channel.send(c.toFrame());
      } catch (DynamoException e) {
        log.debug("could not send {} to the worker: {}", c.wireName(), e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void cancel() {
      if (ended) {
        return;
      }
      sendControl(controller.isKilled() ? ControlMessage.KILL : ControlMessage.STOP);
      ended = true;
      channel.close();
    }
  }
}
