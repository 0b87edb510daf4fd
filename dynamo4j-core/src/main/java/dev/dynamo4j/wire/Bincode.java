package dev.dynamo4j.wire;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * bincode 1.x in its legacy configuration ({@code bincode::serialize} / {@code deserialize}): the
 * format Dynamo's {@code object_store_upload_data} / {@code download_data} use (spec
 * dynamo-transports §3.3). Rules, from bincode's documentation:
 *
 * <ul>
 *   <li>integers fixed-width little-endian ({@code u8}..{@code u64}, {@code i8}..{@code i64}),
 *       {@code f32} / {@code f64} IEEE 754 little-endian, {@code bool} one byte 0 or 1;
 *   <li>{@code String}, {@code Vec<T>}, maps: a {@code u64} length (bytes for strings, elements or
 *       pairs otherwise) then the contents, with no padding;
 *   <li>{@code Option<T>}: one byte 0 (None) or 1 followed by the value;
 *   <li>structs and tuples: the fields in order, nothing else; enums: the variant index as {@code
 *       u32}, then the variant's fields; {@code char}: its UTF-8 bytes.
 * </ul>
 *
 * <p>{@link #codec(Class)} maps Java records onto Rust structs by this table: {@code boolean} ↔
 * {@code bool}; {@code byte}/{@code short}/{@code int}/{@code long} ↔ the integer of that width
 * (signed and unsigned share the bytes; read unsigned values with {@code Integer.toUnsignedLong}
 * and friends); {@code float}/{@code double}; {@code char} ↔ {@code char} (BMP only); {@code
 * String}; {@code byte[]} ↔ {@code Vec<u8>}; {@code List<T>} ↔ {@code Vec<T>}; {@code Optional<T>}
 * ↔ {@code Option<T>}; {@code Map<K,V>} ↔ {@code HashMap<K,V>} (decoded in wire order into a
 * {@link LinkedHashMap}); a Java {@code enum} ↔ an enum of unit variants (ordinal = index); a nested
 * record ↔ a nested struct. Boxed primitives behave as their primitive; a null field fails the
 * encode.
 *
 * <p>Decoding is strict where bincode is (bool and option tags other than 0/1, invalid UTF-8, an
 * enum index out of range, a length that runs past the input are {@link WireFormatException}) and
 * lenient where bincode's legacy configuration is: trailing bytes after the value are allowed.
 * Lengths are checked against the bytes left before anything is allocated, and nesting deeper than
 * {@value #MAX_DEPTH} levels is refused, so no input makes the decoder allocate more than the input
 * or overflow the stack. Instances are immutable and thread-safe.
 */
public final class Bincode {
  /** Deepest nesting of values (records, lists, options, maps) the decoder follows. */
  public static final int MAX_DEPTH = 256;

  /** Most elements a sequence of zero-size values (empty structs) may claim. */
  public static final int MAX_ZERO_SIZE_ELEMENTS = 1 << 20;

  private static final String FORMAT = "bincode";

  private Bincode() {}

  /**
   * A codec for records of type {@code type}, built by reflection once; encode and decode are then
   * allocation-light and thread-safe.
   *
   * @throws IllegalArgumentException when a component's type is not in the table above
   */
  public static <R extends Record> Codec<R> codec(Class<R> type) {
    @SuppressWarnings("unchecked")
    Shape<R> shape = (Shape<R>) shapeOf(type);
    resolve(shape, new HashSet<>()); // unsupported component types fail here, not on first use
    return new Codec<>(shape);
  }

  /** Encodes and decodes one record type. */
  public static final class Codec<T> {
    private final Shape<T> shape;

    Codec(Shape<T> shape) {
      this.shape = shape;
    }

    /**
     * The bincode bytes of {@code value}.
     *
     * @throws WireFormatException when a field is null, or a string has unpaired surrogates
     */
    public byte[] encode(T value) {
      Writer w = new Writer();
      shape.write(w, value);
      return w.toByteArray();
    }

    /**
     * The value {@code bytes} start with; bytes after it are ignored, as bincode's legacy {@code
     * deserialize} does.
     *
     * @throws WireFormatException when the bytes do not hold a value of this type
     */
    public T decode(byte[] bytes) {
      return shape.read(new Reader(bytes), 0);
    }
  }

  /** Writes bincode primitives into a growing buffer. Not thread-safe. */
  public static final class Writer {
    private byte[] buf = new byte[64];
    private int len;

    private void ensure(int n) {
      if (len + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
      }
    }

    public Writer u8(int v) {
      ensure(1);
      buf[len++] = (byte) v;
      return this;
    }

    public Writer u16(int v) {
      return u8(v).u8(v >>> 8);
    }

    public Writer u32(int v) {
      return u16(v).u16(v >>> 16);
    }

    public Writer u64(long v) {
      return u32((int) v).u32((int) (v >>> 32));
    }

    public Writer f32(float v) {
      return u32(Float.floatToRawIntBits(v));
    }

    public Writer f64(double v) {
      return u64(Double.doubleToRawLongBits(v));
    }

    public Writer bool(boolean v) {
      return u8(v ? 1 : 0);
    }

    /** A {@code u64} byte length, then the bytes. */
    public Writer bytes(byte[] b) {
      u64(b.length);
      return raw(b);
    }

    /** A {@code u64} byte length, then UTF-8. */
    public Writer string(String s) {
      return bytes(utf8(s));
    }

    /** A Rust {@code char}: its UTF-8 bytes, no length. */
    public Writer character(char c) {
      if (Character.isSurrogate(c)) {
        throw new WireFormatException(FORMAT, "a lone surrogate U+" + Integer.toHexString(c) + " is not a Rust char");
      }
      return raw(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
    }

    public Writer raw(byte[] b) {
      ensure(b.length);
      System.arraycopy(b, 0, buf, len, b.length);
      len += b.length;
      return this;
    }

    public byte[] toByteArray() {
      return Arrays.copyOf(buf, len);
    }
  }

  /** Reads bincode primitives from a byte array, checking every length first. Not thread-safe. */
  public static final class Reader {
    private final byte[] b;
    private int pos;

    public Reader(byte[] bytes) {
      this.b = bytes;
    }

    public int remaining() {
      return b.length - pos;
    }

    private void need(long n, String what) {
      if (n > remaining()) {
        throw new WireFormatException(FORMAT, what + " needs " + n + " bytes at offset " + pos + " but only " + remaining() + " are left");
      }
    }

    public int u8() {
      need(1, "u8");
      return b[pos++] & 0xff;
    }

    public int u16() {
      need(2, "u16");
      int v = (b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8;
      pos += 2;
      return v;
    }

    public int u32() {
      need(4, "u32");
      int v = (b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8 | (b[pos + 2] & 0xff) << 16 | (b[pos + 3] & 0xff) << 24;
      pos += 4;
      return v;
    }

    public long u64() {
      need(8, "u64");
      long lo = u32() & 0xffffffffL;
      long hi = u32() & 0xffffffffL;
      return lo | hi << 32;
    }

    public float f32() {
      return Float.intBitsToFloat(u32());
    }

    public double f64() {
      return Double.longBitsToDouble(u64());
    }

    public boolean bool() {
      int v = u8();
      if (v > 1) {
        throw new WireFormatException(FORMAT, "bool must be 0 or 1, got " + v + " at offset " + (pos - 1));
      }
      return v == 1;
    }

    /** A {@code u64} length prefix, checked to be at most {@code remaining() / minElementBytes}. */
    public int length(String what, int minElementBytes) {
      long n = u64();
      // zero-size elements (an empty struct) take no bytes, so their count is bounded separately
      long limit = minElementBytes > 0 ? remaining() / minElementBytes : MAX_ZERO_SIZE_ELEMENTS;
      if (n < 0 || n > limit || n > Integer.MAX_VALUE - 8) {
        throw new WireFormatException(FORMAT, what + " length " + Long.toUnsignedString(n) + " at offset " + (pos - 8) + " runs past the " + remaining() + " bytes left");
      }
      return (int) n;
    }

    public byte[] bytes() {
      int n = length("byte sequence", 1);
      byte[] out = Arrays.copyOfRange(b, pos, pos + n);
      pos += n;
      return out;
    }

    public String string() {
      int start = pos + 8;
      byte[] raw = bytes();
      try {
        return StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(raw))
            .toString();
      } catch (CharacterCodingException e) {
        throw new WireFormatException(FORMAT, "string at offset " + start + " is not valid UTF-8", e);
      }
    }

    /** A Rust {@code char} (1 to 4 UTF-8 bytes); a character outside the BMP cannot be a Java char. */
    public char character() {
      int start = pos;
      int first = u8();
      int n = first < 0x80 ? 1 : first >= 0xC2 && first < 0xE0 ? 2 : first >= 0xE0 && first < 0xF0 ? 3 : first >= 0xF0 && first < 0xF5 ? 4 : 0;
      if (n == 0) {
        throw new WireFormatException(FORMAT, "char at offset " + start + " starts with invalid UTF-8 byte 0x" + Integer.toHexString(first));
      }
      need(n - 1, "char");
      pos += n - 1;
      String s;
      try {
        CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(b, start, n));
        s = cb.toString();
      } catch (CharacterCodingException e) {
        throw new WireFormatException(FORMAT, "char at offset " + start + " is not valid UTF-8", e);
      }
      if (s.length() != 1) {
        throw new WireFormatException(FORMAT, "char U+" + Integer.toHexString(s.codePointAt(0)) + " at offset " + start + " does not fit a Java char");
      }
      return s.charAt(0);
    }

    /** An {@code Option} tag: false for None, true for Some. */
    public boolean optionTag() {
      int v = u8();
      if (v > 1) {
        throw new WireFormatException(FORMAT, "Option tag must be 0 or 1, got " + v + " at offset " + (pos - 1));
      }
      return v == 1;
    }
  }

  private static byte[] utf8(String s) {
    try {
      ByteBuffer bb = StandardCharsets.UTF_8.newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .encode(CharBuffer.wrap(s));
      return Arrays.copyOf(bb.array(), bb.limit());
    } catch (CharacterCodingException e) {
      throw new WireFormatException(FORMAT, "string has an unpaired surrogate and has no UTF-8 form", e);
    }
  }

  // ---- shapes: one per Java type, built by reflection ----

  private interface Shape<T> {
    void write(Writer w, T value);

    T read(Reader r, int depth);

    /** Fewest bytes one value takes, to bound sequence lengths before allocating. */
    default int minBytes() {
      return 0;
    }
  }

  private record Prim<T>(String name, int size, BiConsumer<Writer, T> writer, Function<Reader, T> reader) implements Shape<T> {
    @Override
    public void write(Writer w, T value) {
      writer.accept(w, nonNull(value, name));
    }

    @Override
    public T read(Reader r, int depth) {
      return reader.apply(r);
    }

    @Override
    public int minBytes() {
      return size;
    }
  }

  private static <T> T nonNull(T v, String what) {
    if (v == null) {
      throw new WireFormatException(FORMAT, "cannot encode null as " + what + " (use Optional for Option<T>)");
    }
    return v;
  }

  private static void checkDepth(int depth) {
    if (depth > MAX_DEPTH) {
      throw new WireFormatException(FORMAT, "values nested deeper than " + MAX_DEPTH + " levels");
    }
  }

  private static final Map<Class<?>, Shape<?>> PRIMS = Map.ofEntries(
      Map.entry(boolean.class, new Prim<Boolean>("bool", 1, Writer::bool, Reader::bool)),
      Map.entry(Boolean.class, new Prim<Boolean>("bool", 1, Writer::bool, Reader::bool)),
      Map.entry(byte.class, new Prim<Byte>("u8/i8", 1, (w, v) -> w.u8(v), r -> (byte) r.u8())),
      Map.entry(Byte.class, new Prim<Byte>("u8/i8", 1, (w, v) -> w.u8(v), r -> (byte) r.u8())),
      Map.entry(short.class, new Prim<Short>("u16/i16", 2, (w, v) -> w.u16(v), r -> (short) r.u16())),
      Map.entry(Short.class, new Prim<Short>("u16/i16", 2, (w, v) -> w.u16(v), r -> (short) r.u16())),
      Map.entry(int.class, new Prim<Integer>("u32/i32", 4, Writer::u32, Reader::u32)),
      Map.entry(Integer.class, new Prim<Integer>("u32/i32", 4, Writer::u32, Reader::u32)),
      Map.entry(long.class, new Prim<Long>("u64/i64", 8, Writer::u64, Reader::u64)),
      Map.entry(Long.class, new Prim<Long>("u64/i64", 8, Writer::u64, Reader::u64)),
      Map.entry(float.class, new Prim<Float>("f32", 4, Writer::f32, Reader::f32)),
      Map.entry(Float.class, new Prim<Float>("f32", 4, Writer::f32, Reader::f32)),
      Map.entry(double.class, new Prim<Double>("f64", 8, Writer::f64, Reader::f64)),
      Map.entry(Double.class, new Prim<Double>("f64", 8, Writer::f64, Reader::f64)),
      Map.entry(char.class, new Prim<Character>("char", 1, Writer::character, Reader::character)),
      Map.entry(Character.class, new Prim<Character>("char", 1, Writer::character, Reader::character)),
      Map.entry(String.class, new Prim<String>("String", 8, Writer::string, Reader::string)),
      Map.entry(byte[].class, new Prim<byte[]>("Vec<u8>", 8, Writer::bytes, Reader::bytes)));

  private static Shape<?> shapeOf(Type type) {
    if (type instanceof Class<?> c) {
      Shape<?> p = PRIMS.get(c);
      if (p != null) {
        return p;
      }
      if (c.isRecord()) {
        // one shape per record class; its fields resolve lazily, so a record may hold a List of itself
        return RECORDS.get(c);
      }
      if (c.isEnum()) {
        return new EnumShape(c);
      }
      throw new IllegalArgumentException("bincode: no mapping for " + c.getName() + " (see Bincode's table)");
    }
    if (type instanceof ParameterizedType pt && pt.getRawType() instanceof Class<?> raw) {
      Type[] args = pt.getActualTypeArguments();
      if (raw == List.class) {
        return new ListShape<>(shapeOf(arg(args[0])));
      }
      if (raw == Optional.class) {
        return new OptionShape<>(shapeOf(arg(args[0])));
      }
      if (raw == Map.class) {
        return new MapShape<>(shapeOf(arg(args[0])), shapeOf(arg(args[1])));
      }
    }
    if (type instanceof GenericArrayType) {
      throw new IllegalArgumentException("bincode: use List<T> instead of the array type " + type);
    }
    throw new IllegalArgumentException("bincode: no mapping for " + type + " (see Bincode's table)");
  }

  /** One shape per record class, held weakly by the class (no class-loader leak). */
  private static final ClassValue<RecordShape> RECORDS = new ClassValue<>() {
    @Override
    protected RecordShape computeValue(Class<?> type) {
      return new RecordShape(type); // resolves no fields yet, so this never recurses
    }
  };

  private static void resolve(Shape<?> shape, Set<Shape<?>> seen) {
    if (!seen.add(shape)) {
      return;
    }
    switch (shape) {
      case RecordShape rs -> {
        for (Shape<Object> f : rs.fields()) {
          resolve(f, seen);
        }
      }
      case ListShape<?> l -> resolve(l.element(), seen);
      case OptionShape<?> o -> resolve(o.inner(), seen);
      case MapShape<?, ?> m -> {
        resolve(m.key(), seen);
        resolve(m.value(), seen);
      }
      default -> {}
    }
  }

  private static Type arg(Type t) {
    return t instanceof WildcardType w ? w.getUpperBounds()[0] : t;
  }

  private record ListShape<E>(Shape<E> element) implements Shape<List<E>> {
    @Override
    public void write(Writer w, List<E> value) {
      nonNull(value, "Vec");
      w.u64(value.size());
      for (E e : value) {
        element.write(w, e);
      }
    }

    @Override
    public List<E> read(Reader r, int depth) {
      checkDepth(depth);
      int n = r.length("Vec", element.minBytes());
      List<E> out = new ArrayList<>(Math.min(n, r.remaining() + 1));
      for (int i = 0; i < n; i++) {
        out.add(element.read(r, depth + 1));
      }
      return List.copyOf(out);
    }

    @Override
    public int minBytes() {
      return 8;
    }
  }

  private record OptionShape<E>(Shape<E> inner) implements Shape<Optional<E>> {
    @Override
    @SuppressWarnings("OptionalAssignedToNull")
    public void write(Writer w, Optional<E> value) {
      nonNull(value, "Option (an Optional field must not be null)");
      if (value.isPresent()) {
        w.u8(1);
        inner.write(w, value.get());
      } else {
        w.u8(0);
      }
    }

    @Override
    public Optional<E> read(Reader r, int depth) {
      checkDepth(depth);
      return r.optionTag() ? Optional.of(inner.read(r, depth + 1)) : Optional.empty();
    }

    @Override
    public int minBytes() {
      return 1;
    }
  }

  private record MapShape<K, V>(Shape<K> key, Shape<V> value) implements Shape<Map<K, V>> {
    @Override
    public void write(Writer w, Map<K, V> map) {
      nonNull(map, "map");
      w.u64(map.size());
      for (Map.Entry<K, V> e : map.entrySet()) {
        key.write(w, e.getKey());
        value.write(w, e.getValue());
      }
    }

    @Override
    public Map<K, V> read(Reader r, int depth) {
      checkDepth(depth);
      int n = r.length("map", key.minBytes() + value.minBytes());
      Map<K, V> out = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        K k = key.read(r, depth + 1);
        out.put(k, value.read(r, depth + 1));
      }
      return out;
    }

    @Override
    public int minBytes() {
      return 8;
    }
  }

  private static final class EnumShape implements Shape<Enum<?>> {
    private final Enum<?>[] constants;
    private final String name;

    EnumShape(Class<?> c) {
      this.constants = (Enum<?>[]) c.getEnumConstants();
      this.name = c.getSimpleName();
    }

    @Override
    public void write(Writer w, Enum<?> value) {
      w.u32(nonNull(value, name).ordinal());
    }

    @Override
    public Enum<?> read(Reader r, int depth) {
      long idx = r.u32() & 0xffffffffL;
      if (idx >= constants.length) {
        throw new WireFormatException(FORMAT, name + " has " + constants.length + " variants, got variant index " + idx);
      }
      return constants[(int) idx];
    }

    @Override
    public int minBytes() {
      return 4;
    }
  }

  private static final class RecordShape implements Shape<Object> {
    private final String name;
    private final RecordComponent[] components;
    private final MethodHandle[] getters;
    private final MethodHandle constructor;
    private volatile Shape<Object>[] fields; // resolved on first use, so a record may contain a List of itself
    private volatile int minBytes = -1;

    RecordShape(Class<?> c) {
      this.name = c.getSimpleName();
      this.components = c.getRecordComponents();
      this.getters = new MethodHandle[components.length];
      Class<?>[] types = new Class<?>[components.length];
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      try {
        for (int i = 0; i < components.length; i++) {
          components[i].getAccessor().setAccessible(true);
          getters[i] = lookup.unreflect(components[i].getAccessor());
          types[i] = components[i].getType();
        }
        var ctor = c.getDeclaredConstructor(types);
        ctor.setAccessible(true);
        this.constructor = lookup.unreflectConstructor(ctor);
      } catch (ReflectiveOperationException | RuntimeException e) {
        throw new IllegalArgumentException("bincode: cannot access record " + c.getName() + ": " + e.getMessage(), e);
      }
    }

    @SuppressWarnings("unchecked")
    private Shape<Object>[] fields() {
      Shape<Object>[] f = fields;
      if (f == null) {
        f = new Shape[components.length];
        for (int i = 0; i < components.length; i++) {
          f[i] = (Shape<Object>) shapeOf(components[i].getGenericType());
        }
        fields = f;
      }
      return f;
    }

    @Override
    public void write(Writer w, Object value) {
      nonNull(value, name);
      Shape<Object>[] f = fields();
      for (int i = 0; i < f.length; i++) {
        Object v;
        try {
          v = getters[i].invoke(value);
        } catch (Throwable t) {
          throw new IllegalStateException("bincode: reading " + name + "." + components[i].getName(), t);
        }
        if (v == null) {
          throw new WireFormatException(FORMAT, name + "." + components[i].getName() + " is null (use Optional for Option<T>)");
        }
        f[i].write(w, v);
      }
    }

    @Override
    public Object read(Reader r, int depth) {
      checkDepth(depth);
      Shape<Object>[] f = fields();
      Object[] args = new Object[f.length];
      for (int i = 0; i < f.length; i++) {
        args[i] = f[i].read(r, depth + 1);
      }
      try {
        return constructor.invokeWithArguments(args);
      } catch (RuntimeException e) {
        throw new WireFormatException(FORMAT, name + " refused the decoded values: " + e.getMessage(), e);
      } catch (Throwable t) {
        throw new IllegalStateException("bincode: constructing " + name, t);
      }
    }

    @Override
    public int minBytes() {
      int m = minBytes;
      if (m < 0) {
        m = 0;
        for (Shape<Object> f : fields()) { // a record reaches itself only through List/Option/Map, which stop here
          m += f.minBytes();
        }
        minBytes = m;
      }
      return m;
    }
  }
}
