package dev.dynamo4j.bench;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Raw jnats request-reply, the floor of the NATS request plane, on the same nats-server: the
 * server's dispatcher answers {@code bench.echo} with the request's bytes, and {@code bench.stream}
 * ({@code [u32 size][u32 count]}) with {@code count} item messages then an end message, published
 * to the request's reply subject (first byte as {@link RawSocketPeer}: item or end). Client: one
 * connection; a unary call is jnats's {@code request} (its shared reply inbox, so concurrent
 * callers share one subscription, as a jnats user writes it); a stream subscribes a fresh inbox,
 * publishes the request with it as the reply subject and reads until the end message.
 */
final class NatsPeer implements Peer {
  static final String ECHO = "bench.echo";
  static final String STREAM = "bench.stream";
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  static String serve(String url) throws Exception {
    Connection nc = Nats.connect(new Options.Builder().server(url).build());
    Dispatcher d = nc.createDispatcher(m -> {
      if (m.getSubject().equals(ECHO)) {
        nc.publish(m.getReplyTo(), m.getData());
        return;
      }
      ByteBuffer b = ByteBuffer.wrap(m.getData());
      byte[] item = new byte[b.getInt() + 1];
      item[0] = RawSocketPeer.ITEM;
      int count = b.getInt();
      for (int i = 0; i < count; i++) {
        nc.publish(m.getReplyTo(), item);
      }
      nc.publish(m.getReplyTo(), new byte[] {RawSocketPeer.END});
    });
    d.subscribe(ECHO);
    d.subscribe(STREAM);
    nc.flush(TIMEOUT); // the server has both subscriptions before we say READY
    return url;
  }

  private final Connection nc;

  NatsPeer(String url) throws Exception {
    this.nc = Nats.connect(new Options.Builder().server(url).build());
  }

  @Override
  public String name() {
    return "jnats";
  }

  @Override
  public void unary(byte[] payload) throws Exception {
    Message reply = nc.request(ECHO, payload, TIMEOUT);
    if (reply == null || reply.getData().length != payload.length) {
      throw new IllegalStateException("jnats echo: " + (reply == null ? "no reply within " + TIMEOUT : reply.getData().length + " bytes for " + payload.length));
    }
  }

  @Override
  public void stream(int size, int count, Runnable onItem) throws Exception {
    String inbox = nc.createInbox();
    Subscription sub = nc.subscribe(inbox);
    try {
      nc.publish(STREAM, inbox, ByteBuffer.allocate(8).putInt(size).putInt(count).array());
      while (true) {
        Message m = sub.nextMessage(TIMEOUT);
        if (m == null) {
          throw new IllegalStateException("jnats stream: nothing within " + TIMEOUT);
        }
        if (m.getData()[0] == RawSocketPeer.END) {
          return;
        }
        onItem.run();
      }
    } finally {
      sub.unsubscribe();
    }
  }

  @Override
  public void close() throws Exception {
    nc.close();
  }
}
