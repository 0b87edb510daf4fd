package dev.dynamo4j.spi.config;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * One environment variable the runtime reads, declared once by the class that owns it: its name,
 * the module, whether it is Dynamo's or ours, its default, what it does, and how its text becomes
 * a typed value. {@link #read} is the only way the owner reads it; {@link Settings#all()} lists
 * every declaration for {@code ./dynamo4j settings} and the README.
 *
 * <p>Reading: unset or blank means the default (or the fallback given); anything else is parsed,
 * and text that does not parse is a {@link DynamoException} {@code InvalidArgument} "Invalid
 * NAME value 'text': expected ...". Thread-safe and immutable.
 *
 * @param <T> the value's type
 */
public final class Setting<T> {
  private static final BigDecimal YEAR_SECONDS = BigDecimal.valueOf(86_400L * 365);

  private final String name;
  private final String module;
  private final boolean ours;
  private final T defaultValue;
  private final String defaultText;
  private final String description;
  private final Function<String, T> parser;

  private Setting(String name, String module, boolean ours, T defaultValue, String defaultText, String description, Function<String, T> parser) {
    this.name = Objects.requireNonNull(name);
    this.module = Objects.requireNonNull(module);
    this.ours = ours;
    this.defaultValue = defaultValue;
    this.defaultText = Objects.requireNonNull(defaultText);
    this.description = Objects.requireNonNull(description);
    this.parser = parser;
  }

  /** The environment variable, e.g. {@code DYN_TCP_RPC_PORT}. */
  public String name() {
    return name;
  }

  /** The module that reads it, e.g. {@code dynamo4j-core}. */
  public String module() {
    return module;
  }

  /** True for dynamo4j's own variables, false for Dynamo's (same name, same meaning). */
  public boolean ours() {
    return ours;
  }

  /** The value when the variable is unset or blank; may be null ("none"). */
  public T defaultValue() {
    return defaultValue;
  }

  /** The default as a user reads it in {@code ./dynamo4j settings}. */
  public String defaultText() {
    return defaultText;
  }

  public String description() {
    return description;
  }

  /** The typed value in {@code env}, or the default when unset or blank. */
  public T read(Map<String, String> env) {
    return read(env, defaultValue);
  }

  /**
   * The typed value in {@code env}, or {@code fallback} when unset or blank.
   *
   * @throws DynamoException {@code InvalidArgument} "Invalid NAME value '...': expected ..."
   */
  public T read(Map<String, String> env, T fallback) {
    String raw = env.get(name);
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    try {
      return parser.apply(raw.trim());
    } catch (IllegalArgumentException e) {
      throw new DynamoException(ErrorType.InvalidArgument, "Invalid " + name + " value '" + raw + "': " + e.getMessage());
    }
  }

  /** Whether {@code env} sets this variable (to something not blank). */
  public boolean isSet(Map<String, String> env) {
    String raw = env.get(name);
    return raw != null && !raw.isBlank();
  }

  @Override
  public String toString() {
    return name;
  }

  // ---- declarations ----

  /** Declares settings of one module. */
  public static Declarer in(String module) {
    return new Declarer(module, false);
  }

  /** Declares settings of one module, all of them dynamo4j's own. */
  public static Declarer oursIn(String module) {
    return new Declarer(module, true);
  }

  /** Makes {@link Setting}s for one module. */
  public static final class Declarer {
    private final String module;
    private final boolean ours;

    private Declarer(String module, boolean ours) {
      this.module = module;
      this.ours = ours;
    }

    /** The same module, the declarations that follow dynamo4j's own. */
    public Declarer ours() {
      return new Declarer(module, true);
    }

    /** Free text, trimmed; {@code dflt} may be null (none). */
    public Setting<String> text(String name, String dflt, String description) {
      return new Setting<>(name, module, ours, dflt, dflt == null ? "(none)" : dflt.isEmpty() ? "(empty)" : dflt, description, s -> s);
    }

    /** One of {@code values} (compared ignoring case, returned as declared). */
    public Setting<String> oneOf(String name, String dflt, String description, String... values) {
      List<String> allowed = List.of(values);
      return new Setting<>(name, module, ours, dflt, dflt == null ? "(none)" : dflt, description, s -> {
        for (String a : allowed) {
          if (a.equalsIgnoreCase(s)) {
            return a;
          }
        }
        throw new IllegalArgumentException("expected one of " + String.join(", ", allowed));
      });
    }

    /** {@code 1/true/yes/on} or {@code 0/false/no/off}, any case. */
    public Setting<Boolean> flag(String name, boolean dflt, String description) {
      return new Setting<>(name, module, ours, dflt, Boolean.toString(dflt), description, Setting::parseFlag);
    }

    /** A whole number from {@code min} to {@code max}. */
    public Setting<Long> integer(String name, long dflt, long min, long max, String description) {
      return integer(name, dflt, Long.toString(dflt), min, max, description);
    }

    /** A whole number from {@code min} to {@code max}, its default shown as {@code dfltText}. */
    public Setting<Long> integer(String name, long dflt, String dfltText, long min, long max, String description) {
      return new Setting<>(name, module, ours, dflt, dfltText, description, s -> {
        long v;
        try {
          v = Long.parseLong(s);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(range(min, max));
        }
        if (v < min || v > max) {
          throw new IllegalArgumentException(range(min, max));
        }
        return v;
      });
    }

    /**
     * Seconds, fractions allowed (e.g. {@code 30} or {@code 0.5}), up to a year; 0 only with
     * {@code zeroAllowed} (then documented as what 0 means in {@code description}).
     */
    public Setting<Duration> seconds(String name, Duration dflt, boolean zeroAllowed, String description) {
      String shown = dflt == null ? "(none)" : dflt.isZero() ? "0" : BigDecimal.valueOf(dflt.toNanos()).movePointLeft(9).stripTrailingZeros().toPlainString();
      return new Setting<>(name, module, ours, dflt, shown, description, s -> {
        BigDecimal v;
        try {
          v = new BigDecimal(s);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("expected seconds, e.g. 30 or 0.5");
        }
        if (v.signum() < 0 || (!zeroAllowed && v.signum() == 0) || v.compareTo(YEAR_SECONDS) > 0) {
          throw new IllegalArgumentException("expected " + (zeroAllowed ? "0 or " : "") + "a positive number of seconds up to a year");
        }
        return Duration.ofNanos(v.movePointRight(9).longValue());
      });
    }

    /** Milliseconds as a whole number from {@code min} to {@code max}. */
    public Setting<Duration> millis(String name, Duration dflt, long min, long max, String description) {
      return new Setting<>(name, module, ours, dflt, dflt == null ? "(none)" : Long.toString(dflt.toMillis()), description, s -> {
        long v;
        try {
          v = Long.parseLong(s);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(range(min, max) + " (milliseconds)");
        }
        if (v < min || v > max) {
          throw new IllegalArgumentException(range(min, max) + " (milliseconds)");
        }
        return Duration.ofMillis(v);
      });
    }

    /** A value whose parsing the owner does itself ({@code parser} throws IllegalArgumentException with "expected ..."). */
    public <T> Setting<T> custom(String name, T dflt, String dfltText, String description, Function<String, T> parser) {
      return new Setting<>(name, module, ours, dflt, dfltText, description, parser);
    }
  }

  private static String range(long min, long max) {
    return max == Long.MAX_VALUE ? "expected a whole number of at least " + min : "expected a whole number from " + min + " to " + max;
  }

  static boolean parseFlag(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "1", "true", "yes", "on" -> true;
      case "0", "false", "no", "off" -> false;
      default -> throw new IllegalArgumentException("expected true or false");
    };
  }
}
