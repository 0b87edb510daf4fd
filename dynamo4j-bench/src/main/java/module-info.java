/**
 * The side-by-side benchmarks and the peers they measure against (raw sockets, Netty, grpc-java,
 * JeroMQ, jnats); the peers live only here. Uses core's API and SPI only, no internal package. Run from
 * the shaded jar on the class path; its package is opened to picocli (options) and to JMH's
 * generated harness.
 */
module dev.dynamo4j.bench {
  requires dev.dynamo4j.core;
  requires dev.dynamo4j.tcp;
  requires info.picocli;
  requires HdrHistogram;
  requires io.grpc;
  requires io.grpc.stub;
  requires io.grpc.netty.shaded;
  requires io.netty.buffer;
  requires io.netty.common;
  requires io.netty.transport;
  requires io.netty.transport.classes.epoll;
  requires io.netty.codec;
  requires io.netty.handler;
  requires org.zeromq.jeromq;
  requires io.nats.jnats;
  requires jmh.core;

  opens dev.dynamo4j.bench to info.picocli;
  opens dev.dynamo4j.bench.jmh;
}
