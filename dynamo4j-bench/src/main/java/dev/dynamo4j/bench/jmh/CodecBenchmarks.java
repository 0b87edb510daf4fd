package dev.dynamo4j.bench.jmh;

import dev.dynamo4j.wire.Json;
import dev.dynamo4j.wire.MuxFrame;
import dev.dynamo4j.wire.PayloadCodec;
import dev.dynamo4j.wire.StreamWrapper;
import dev.dynamo4j.wire.TwoPartMessage;
import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The codecs on the request path, one call each: the mux frame, the two-part frame and a response
 * item (wrapper encode and decode, both payload codecs). Run with {@code java -cp
 * dynamo4j-bench/target/dynamo4j-bench.jar org.openjdk.jmh.Main CodecBenchmarks}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CodecBenchmarks {
  @Param({"64", "4096"})
  int size;

  @Param({"json", "msgpack"})
  String codec;

  PayloadCodec payloadCodec;
  byte[] payload;
  byte[] muxBytes;
  byte[] twoPartBytes;
  byte[] itemBytes;
  String item;
  UUID id = UUID.randomUUID();

  @Setup
  public void setup() {
    payloadCodec = PayloadCodec.fromWireName(codec);
    payload = new byte[size];
    muxBytes = new MuxFrame(MuxFrame.Kind.DATA, id, payload).encode();
    twoPartBytes = TwoPartMessage.dataOnly(payload).encode();
    item = "x".repeat(size);
    itemBytes = StreamWrapper.encodeItem(payloadCodec, item);
  }

  @Benchmark
  public byte[] muxFrameEncode() {
    return new MuxFrame(MuxFrame.Kind.DATA, id, payload).encode();
  }

  @Benchmark
  public MuxFrame muxFrameDecode() {
    return MuxFrame.tryDecode(ByteBuffer.wrap(muxBytes), Integer.MAX_VALUE);
  }

  @Benchmark
  public byte[] twoPartEncode() {
    return TwoPartMessage.dataOnly(payload).encode();
  }

  @Benchmark
  public TwoPartMessage twoPartDecode() {
    return TwoPartMessage.decode(twoPartBytes);
  }

  @Benchmark
  public byte[] itemEncode() {
    return StreamWrapper.encodeItem(payloadCodec, item);
  }

  @Benchmark
  public Object itemDecode() {
    StreamWrapper w = StreamWrapper.decode(payloadCodec, itemBytes);
    return PayloadCodec.convert(w.data(), Json.MAPPER.constructType(String.class), StreamWrapper.FORMAT);
  }
}
