package dev.dynamo4j.wire;

import static dev.dynamo4j.wire.Hex.bytes;
import static dev.dynamo4j.wire.Hex.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * bincode 1.x legacy vectors, each computed by hand from bincode's documented rules (fixed-width
 * little-endian integers, u64 length prefixes, one-byte option and bool tags, u32 enum variant
 * index), then seeded round-trip and garbage-input properties.
 */
class BincodeTest {
  /** Dynamo's object-store test record (spec §3.6); the Rust field types are our choice: u32, String, Vec<f64>. */
  record TestData(int id, String name, List<Double> values) {}

  record Prims(boolean t, boolean f, byte u8, short u16, int u32, long u64, float f32, double f64, char c) {}

  record Opts(Optional<Integer> none, Optional<String> some) {}

  record Nested(List<List<Short>> grid) {}

  enum Color { RED, GREEN }

  record Tagged(Color color, Map<String, Integer> counts) {}

  record Blob(byte[] data, String empty) {}

  record Tree(List<Tree> children) {}

  record Empty() {}

  record Empties(List<Empty> items) {}

  record Everything(long id, Optional<String> label, List<Integer> ints, byte[] raw, Map<String, Optional<Double>> scores, Color color, List<Opts> opts, boolean flag, char ch) {}

  @Test
  void dynamosObjectStoreRecord() {
    var codec = Bincode.codec(TestData.class);
    TestData d = new TestData(42, "test_item", List.of(1.0, 2.5, 3.7, 4.2));
    String expected = "2a000000" // id: u32 42
        + "0900000000000000" + "746573745f6974656d" // name: u64 len 9, "test_item"
        + "0400000000000000" // values: u64 len 4
        + "000000000000f03f" // 1.0 = 0x3FF0000000000000
        + "0000000000000440" // 2.5 = 0x4004000000000000
        + "9a99999999990d40" // 3.7 = 0x400D99999999999A
        + "cdcccccccccc1040"; // 4.2 = 0x4010CCCCCCCCCCCD
    assertThat(hex(codec.encode(d))).isEqualTo(expected);
    assertThat(codec.decode(bytes(expected))).isEqualTo(d);
  }

  @Test
  void primitivesAreLittleEndianFixedWidthAndACharIsItsUtf8BytesWithoutALength() {
    var codec = Bincode.codec(Prims.class);
    Prims p = new Prims(true, false, (byte) 0xff, (short) 0x1234, 0x12345678, 0x0102030405060708L, 1.5f, -2.0, 'é');
    String expected = "01" + "00" + "ff" + "3412" + "78563412" + "0807060504030201"
        + "0000c03f" // 1.5f = 0x3FC00000
        + "00000000000000c0" // -2.0 = 0xC000000000000000
        + "c3a9"; // 'é' as UTF-8, no length prefix
    assertThat(hex(codec.encode(p))).isEqualTo(expected);
    assertThat(codec.decode(bytes(expected))).isEqualTo(p);
  }

  @Test
  void optionsListsEnumsMapsBytes() {
    var opts = Bincode.codec(Opts.class);
    Opts o = new Opts(Optional.empty(), Optional.of("hi"));
    assertThat(hex(opts.encode(o))).isEqualTo("00" + "01" + "0200000000000000" + "6869");
    assertThat(opts.decode(opts.encode(o))).isEqualTo(o);

    var nested = Bincode.codec(Nested.class);
    Nested n = new Nested(List.of(List.of((short) 1, (short) 2), List.of()));
    assertThat(hex(nested.encode(n))).isEqualTo("0200000000000000" + "0200000000000000" + "0100" + "0200" + "0000000000000000");
    assertThat(nested.decode(nested.encode(n))).isEqualTo(n);

    var tagged = Bincode.codec(Tagged.class);
    Tagged t = new Tagged(Color.GREEN, Map.of("a", 1));
    assertThat(hex(tagged.encode(t))).isEqualTo("01000000" + "0100000000000000" + "0100000000000000" + "61" + "01000000");
    assertThat(tagged.decode(tagged.encode(t))).isEqualTo(t);

    var blob = Bincode.codec(Blob.class);
    byte[] enc = blob.encode(new Blob(new byte[] {(byte) 0xde, (byte) 0xad}, ""));
    assertThat(hex(enc)).isEqualTo("0200000000000000" + "dead" + "0000000000000000");
    assertThat(blob.decode(enc).data()).containsExactly(0xde, 0xad);
  }

  @Test
  void trailingBytesAreIgnoredAsInBincodesLegacyDeserialize() {
    var opts = Bincode.codec(Opts.class);
    assertThat(opts.decode(bytes("00 00 ffff"))).isEqualTo(new Opts(Optional.empty(), Optional.empty()));
  }

  @Test
  void badInputIsATypedErrorThatSaysWhatWasWrong() {
    var prims = Bincode.codec(Prims.class);
    assertThatThrownBy(() -> prims.decode(bytes("02"))).isInstanceOf(WireFormatException.class).hasMessageContaining("bool must be 0 or 1, got 2");
    assertThatThrownBy(() -> prims.decode(bytes("01 00 ff"))).isInstanceOf(WireFormatException.class).hasMessageContaining("u16 needs 2 bytes at offset 3");
    var opts = Bincode.codec(Opts.class);
    assertThatThrownBy(() -> opts.decode(bytes("07"))).hasMessageContaining("Option tag must be 0 or 1, got 7");
    assertThatThrownBy(() -> opts.decode(bytes("00 01 ffffffffffffff7f 61"))).isInstanceOf(WireFormatException.class).hasMessageContaining("runs past");
    assertThatThrownBy(() -> opts.decode(bytes("00 01 0100000000000000 ff"))).isInstanceOf(WireFormatException.class).hasMessageContaining("not valid UTF-8");
    var tagged = Bincode.codec(Tagged.class);
    assertThatThrownBy(() -> tagged.decode(bytes("02000000 0000000000000000"))).hasMessageContaining("Color has 2 variants, got variant index 2");
    assertThatThrownBy(() -> prims.decode(bytes("01 00 ff 3412 78563412 0807060504030201 0000c03f 00000000000000c0 f09f9880")))
        .hasMessageContaining("does not fit a Java char");
    var empties = Bincode.codec(Empties.class);
    assertThat(empties.decode(bytes("0300000000000000")).items()).hasSize(3);
    assertThatThrownBy(() -> empties.decode(bytes("00ffffff00000000"))).isInstanceOf(WireFormatException.class).hasMessageContaining("Vec length 4294967040");
  }

  @Test
  void encodingRefusesNullsAndMapsOnlyKnownTypes() {
    var data = Bincode.codec(TestData.class);
    assertThatThrownBy(() -> data.encode(new TestData(1, null, List.of()))).isInstanceOf(WireFormatException.class).hasMessageContaining("TestData.name is null");
    record WithArray(int[] xs) {}
    assertThatThrownBy(() -> Bincode.codec(WithArray.class)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no mapping for [I");
    record WithObject(Object o) {}
    assertThatThrownBy(() -> Bincode.codec(WithObject.class)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.Object");
  }

  @Test
  void deepNestingIsRefusedNotRecursedInto() {
    var tree = Bincode.codec(Tree.class);
    Tree t = new Tree(List.of());
    for (int i = 0; i < 100; i++) {
      t = new Tree(List.of(t));
    }
    assertThat(tree.decode(tree.encode(t))).isEqualTo(t);
    byte[] deep = new byte[8 * 100_000];
    for (int i = 0; i < 100_000; i++) {
      deep[i * 8] = 1; // each level: a Vec of length 1 holding the next level
    }
    assertThatThrownBy(() -> tree.decode(deep)).isInstanceOf(WireFormatException.class).hasMessageContaining("nested deeper than 256");
  }

  static Everything random(Random r) {
    List<Integer> ints = new ArrayList<>();
    for (int i = r.nextInt(5); i > 0; i--) {
      ints.add(r.nextInt());
    }
    Map<String, Optional<Double>> scores = new LinkedHashMap<>();
    for (int i = r.nextInt(4); i > 0; i--) {
      scores.put(PropertyTest.randomString(r, 6), r.nextBoolean() ? Optional.of(r.nextDouble()) : Optional.empty());
    }
    List<Opts> opts = new ArrayList<>();
    for (int i = r.nextInt(3); i > 0; i--) {
      opts.add(new Opts(r.nextBoolean() ? Optional.of(r.nextInt()) : Optional.empty(), Optional.of(PropertyTest.randomString(r, 10))));
    }
    char ch = "aZ9é東~".charAt(r.nextInt(6));
    return new Everything(r.nextLong(), r.nextBoolean() ? Optional.of(PropertyTest.randomString(r, 30)) : Optional.empty(), ints,
        PropertyTest.randomBytes(r, 40), scores, Color.values()[r.nextInt(2)], opts, r.nextBoolean(), ch);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void roundTripsAndGarbageOnlyEverGivesTheTypedError(long seed) {
    Random r = new Random(seed);
    var codec = Bincode.codec(Everything.class);
    for (int i = 0; i < PropertyTest.CASES; i++) {
      Everything e = random(r);
      byte[] enc = codec.encode(e);
      Everything back = codec.decode(enc);
      assertThat(Arrays.equals(back.raw(), e.raw())).isTrue();
      assertThat(codec.encode(back)).as("seed %d case %d", seed, i).isEqualTo(enc);

      byte[] mutated = enc.clone();
      for (int m = 1 + r.nextInt(4); m > 0 && mutated.length > 0; m--) {
        mutated[r.nextInt(mutated.length)] = (byte) r.nextInt(256);
      }
      byte[] cut = Arrays.copyOf(enc, r.nextInt(enc.length + 1));
      for (byte[] bad : List.of(mutated, cut, PropertyTest.randomBytes(r, 200))) {
        try {
          codec.decode(bad);
        } catch (WireFormatException expected) {
          // fine: typed
        } catch (RuntimeException | Error other) {
          fail("seed " + seed + " case " + i + ": " + hex(bad) + " threw " + other);
        }
      }
    }
  }
}
