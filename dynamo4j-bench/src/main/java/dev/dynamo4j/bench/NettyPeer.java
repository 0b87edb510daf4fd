package dev.dynamo4j.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Raw Netty (the same 4.2 and epoll as dynamo4j's TCP plane) with {@link RawSocketPeer}'s
 * protocol: the server answers on the event loop and flushes once per read burst; the client
 * pipelines unary calls on one channel (answers matched in order on the event loop, the caller
 * woken by a future) and gives each stream a channel of its own.
 */
final class NettyPeer implements Peer {
  static EventLoopGroup group(int threads) {
    return new MultiThreadIoEventLoopGroup(threads, Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  }

  static String serve() throws InterruptedException {
    EventLoopGroup g = group(Math.max(2, Runtime.getRuntime().availableProcessors()));
    Channel ch = new ServerBootstrap()
        .group(g)
        .channel(Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel c) {
            c.pipeline().addLast(new LengthFieldBasedFrameDecoder(64 << 20, 0, 4, 0, 4), new ServerHandler());
          }
        })
        .bind("127.0.0.1", 0).sync().channel();
    return "127.0.0.1:" + ((InetSocketAddress) ch.localAddress()).getPort();
  }

  private static final class ServerHandler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf in = (ByteBuf) msg;
      try {
        byte op = in.readByte();
        if (op == RawSocketPeer.ECHO) {
          ByteBuf out = ctx.alloc().buffer(5 + in.readableBytes());
          out.writeInt(in.readableBytes() + 1).writeByte(RawSocketPeer.ITEM).writeBytes(in);
          ctx.write(out, ctx.voidPromise());
        } else {
          int size = in.readInt();
          int count = in.readInt();
          for (int i = 0; i < count; i++) {
            ByteBuf out = ctx.alloc().buffer(5 + size);
            out.writeInt(size + 1).writeByte(RawSocketPeer.ITEM).writeZero(size);
            ctx.write(out, ctx.voidPromise());
            if ((i & 63) == 63) {
              ctx.flush();
            }
          }
          ByteBuf end = ctx.alloc().buffer(5);
          end.writeInt(1).writeByte(RawSocketPeer.END);
          ctx.write(end, ctx.voidPromise());
        }
      } finally {
        in.release();
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }
  }

  private final EventLoopGroup group = group(Math.max(2, Runtime.getRuntime().availableProcessors()));
  private final String host;
  private final int port;
  private final Channel shared;
  private final ConcurrentLinkedQueue<Channel> idle = new ConcurrentLinkedQueue<>();

  NettyPeer(String address) throws InterruptedException {
    String[] hp = address.split(":");
    this.host = hp[0];
    this.port = Integer.parseInt(hp[1]);
    this.shared = connect();
  }

  /** One channel and the calls waiting on it, in order; the queue is touched on the event loop only. */
  private static final class ClientHandler extends ChannelInboundHandlerAdapter {
    final ArrayDeque<CompletableFuture<Void>> waiting = new ArrayDeque<>();
    Runnable onItem;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf in = (ByteBuf) msg;
      byte kind = in.readByte();
      in.release();
      if (onItem != null && kind == RawSocketPeer.ITEM) {
        onItem.run();
        return;
      }
      CompletableFuture<Void> f = waiting.poll();
      if (f != null) {
        f.complete(null);
      }
    }
  }

  private Channel connect() throws InterruptedException {
    return new Bootstrap()
        .group(group)
        .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel c) {
            c.pipeline().addLast(new LengthFieldBasedFrameDecoder(64 << 20, 0, 4, 0, 4), new ClientHandler());
          }
        })
        .connect(host, port).sync().channel();
  }

  @Override
  public String name() {
    return "netty";
  }

  @Override
  public void unary(byte[] payload) throws Exception {
    call(shared, payload, null);
  }

  private static void call(Channel ch, byte[] body, Runnable onItem) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    ch.eventLoop().execute(() -> {
      ClientHandler h = ch.pipeline().get(ClientHandler.class);
      h.waiting.add(done);
      h.onItem = onItem;
      ByteBuf out = ch.alloc().buffer(4 + body.length);
      out.writeInt(body.length).writeBytes(body);
      ch.writeAndFlush(out, ch.voidPromise());
    });
    done.get(60, TimeUnit.SECONDS);
  }

  @Override
  public void stream(int size, int count, Runnable onItem) throws Exception {
    Channel ch = idle.poll();
    if (ch == null) {
      ch = connect();
    }
    byte[] req = ByteBuffer.allocate(9).put(RawSocketPeer.STREAM).putInt(size).putInt(count).array();
    call(ch, req, onItem);
    idle.add(ch);
  }

  @Override
  public void close() {
    shared.close();
    idle.forEach(Channel::close);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
