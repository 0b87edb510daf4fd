package dev.dynamo4j.internal.network;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.spi.network.FrameChannel;
import dev.dynamo4j.wire.TwoPartMessage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Both ends of an in-process response connection. Frames are encoded to bytes and decoded on
 * the other side, so the in-process transport exercises the same codec as TCP. Each direction
 * buffers at most {@value #CAPACITY} frames; a sender blocks beyond that.
 */
final class InProcessFrameChannel implements FrameChannel {
  static final int CAPACITY = 64;
  private static final Object EOF = new Object();

  /** One direction: a queue bounded by permits, and whether its reader went away. */
  private static final class Pipe {
    final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    final Semaphore permits = new Semaphore(CAPACITY);
    volatile boolean readerClosed;
  }

  private final Pipe in;
  private final Pipe out;
  private final long maxMessageSize;
  private volatile boolean closed;
  private boolean eofSeen;

  private InProcessFrameChannel(Pipe in, Pipe out, long maxMessageSize) {
    this.in = in;
    this.out = out;
    this.maxMessageSize = maxMessageSize;
  }

  /** Returns {caller end, worker end}. */
  static InProcessFrameChannel[] pair(long maxMessageSize) {
    Pipe toCaller = new Pipe();
    Pipe toWorker = new Pipe();
    return new InProcessFrameChannel[] {
      new InProcessFrameChannel(toCaller, toWorker, maxMessageSize),
      new InProcessFrameChannel(toWorker, toCaller, maxMessageSize)
    };
  }

  @Override
  public void send(TwoPartMessage frame) throws InterruptedException {
    if (closed || out.readerClosed) {
      throw new DynamoException(ErrorType.Disconnected, "response connection closed");
    }
    byte[] bytes = frame.encode(maxMessageSize);
    out.permits.acquire();
    if (closed || out.readerClosed) {
      throw new DynamoException(ErrorType.Disconnected, "response connection closed");
    }
    out.queue.put(bytes);
  }

  @Override
  public TwoPartMessage receive() throws InterruptedException {
    if (eofSeen) {
      return null;
    }
    return received(in.queue.take()); // ends: the peer's close or ours always queues EOF
  }

  @Override
  public TwoPartMessage receive(long timeout, TimeUnit unit) throws InterruptedException, TimeoutException {
    if (eofSeen) {
      return null;
    }
    Object o = in.queue.poll(timeout, unit);
    if (o == null) {
      throw new TimeoutException();
    }
    return received(o);
  }

  private TwoPartMessage received(Object o) {
    if (o == EOF) {
      eofSeen = true;
      return null;
    }
    in.permits.release();
    return TwoPartMessage.decode((byte[]) o, maxMessageSize);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    out.queue.add(EOF);
    in.readerClosed = true;
    in.permits.release(CAPACITY * 1024);
    in.queue.clear();
    in.queue.add(EOF);
  }
}
