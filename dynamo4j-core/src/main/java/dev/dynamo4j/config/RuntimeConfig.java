package dev.dynamo4j.config;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.internal.config.RuntimeSettings;
import dev.dynamo4j.spi.config.ResponseStreamOptions;
import dev.dynamo4j.spi.config.Settings;
import dev.dynamo4j.spi.config.SystemStatusOptions;
import dev.dynamo4j.spi.config.TcpServerLimits;
import dev.dynamo4j.spi.config.TcpTlsSettings;
import dev.dynamo4j.wire.PayloadCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a {@link DistributedRuntime} can be told, immutable. Values come from built-in
 * defaults, then the environment ({@code DYN_*} names as Dynamo spells them), then builder calls,
 * each overriding the one before.
 *
 * <p>Empty environment values are ignored. Invalid values fail with the error texts Dynamo uses
 * where it has them ({@code Unknown DYN_DISCOVERY_BACKEND value ...}, {@code Invalid
 * DYN_EVENT_PLANE value ...}); where Dynamo falls back to a default with a warning ({@code
 * DYN_REQUEST_PLANE}, {@code DYN_REQUEST_PLANE_CODEC}, {@code
 * DYN_RUNTIME_INHIBITED_DURATION_SECS}, {@code DYN_WORKER_GRACEFUL_SHUTDOWN_TIMEOUT}) so do we,
 * and the warning is logged.
 *
 * <p>Deliberate difference from Dynamo: the default discovery backend is {@code file}, not
 * {@code etcd}, so that dynamo4j runs with no server on one machine.
 */
public final class RuntimeConfig {
  private static final Logger log = LoggerFactory.getLogger(RuntimeConfig.class);

  /**
   * Core's own request and event plane for one JVM ({@link
   * dev.dynamo4j.runtime.DistributedRuntime#processLocal()}); set in code only, never offered
   * for {@code DYN_REQUEST_PLANE} / {@code DYN_EVENT_PLANE}.
   */
  public static final String IN_PROCESS = "in_process";

  private final String discoveryBackend;
  private final Path fileKvRoot;
  private final String requestPlane;
  private final PayloadCodec requestPlaneCodec;
  private final String eventPlane;
  private final PayloadCodec eventPlaneCodec;
  private final String tcpRpcHost;
  private final int tcpRpcPort;
  private final String tcpResponseStreamHost;
  private final int tcpResponseStreamPort;
  private final long tcpMaxMessageSize;
  private final int tcpWorkerPoolSize;
  private final int tcpWorkQueueSize;
  private final Duration tcpRequestTimeout;
  private final Duration tcpConnectTimeout;
  private final int tcpPoolSize;
  private final Duration inhibitedDuration;
  private final Duration gracefulShutdownTimeout;
  private final String systemHost;
  private final int systemPort;
  private final String eventPlaneHost;
  private final Map<String, String> variables;
  private final ResponseStreamOptions responseStreams;
  private final SystemStatusOptions systemStatus;
  private final TcpServerLimits tcpServerLimits;
  private final TcpTlsSettings tcpTls;

  private RuntimeConfig(Builder b) {
    this.responseStreams = b.responseStreams;
    this.systemStatus = b.systemStatus;
    this.tcpServerLimits = b.tcpServerLimits;
    this.tcpTls = b.tcpTls;
    this.eventPlaneHost = b.eventPlaneHost;
    this.variables = Map.copyOf(b.variables);
    this.discoveryBackend = b.discoveryBackend;
    this.fileKvRoot = b.fileKvRoot;
    this.requestPlane = b.requestPlane;
    this.requestPlaneCodec = b.requestPlaneCodec;
    this.eventPlane = b.eventPlane;
    this.eventPlaneCodec = b.eventPlaneCodec;
    this.tcpRpcHost = b.tcpRpcHost;
    this.tcpRpcPort = b.tcpRpcPort;
    this.tcpResponseStreamHost = b.tcpResponseStreamHost;
    this.tcpResponseStreamPort = b.tcpResponseStreamPort;
    this.tcpMaxMessageSize = b.tcpMaxMessageSize;
    this.tcpWorkerPoolSize = b.tcpWorkerPoolSize;
    this.tcpWorkQueueSize = b.tcpWorkQueueSize;
    this.tcpRequestTimeout = b.tcpRequestTimeout;
    this.tcpConnectTimeout = b.tcpConnectTimeout;
    this.tcpPoolSize = b.tcpPoolSize;
    this.inhibitedDuration = b.inhibitedDuration;
    this.gracefulShutdownTimeout = b.gracefulShutdownTimeout;
    this.systemHost = b.systemHost;
    this.systemPort = b.systemPort;
  }

  /** Defaults overridden by the process environment. */
  public static RuntimeConfig fromEnv() {
    return builder(System.getenv()).build();
  }

  /** Built-in defaults only. */
  public static Builder builder() {
    return new Builder();
  }

  /** Defaults overridden by {@code env}; builder calls override both. */
  public static Builder builder(Map<String, String> env) {
    return new Builder().applyEnv(env);
  }

  /** {@code DYN_DISCOVERY_BACKEND}: kubernetes, etcd, file (default here), mem, nats. */
  public String discoveryBackend() {
    return discoveryBackend;
  }

  /** {@code DYN_FILE_KV}: root of the file store; default {@code <tmp>/dynamo_store_kv}. */
  public Path fileKvRoot() {
    return fileKvRoot;
  }

  /**
   * {@code DYN_REQUEST_PLANE}: the name of the request plane, {@code tcp} by default; {@code nats}
   * and {@code zmq} come with their modules, {@link #IN_PROCESS} is core's.
   */
  public String requestPlane() {
    return requestPlane;
  }

  /** {@code DYN_REQUEST_PLANE_CODEC}: msgpack (default) or json; what this worker accepts. */
  public PayloadCodec requestPlaneCodec() {
    return requestPlaneCodec;
  }

  /** {@code DYN_EVENT_PLANE}: the name of the event plane, {@code zmq} by default. */
  public String eventPlane() {
    return eventPlane;
  }

  /** {@code DYN_EVENT_PLANE_CODEC}, or {@code null} for the transport's default. */
  public PayloadCodec eventPlaneCodec() {
    return eventPlaneCodec;
  }

  /** {@code DYN_EVENT_PLANE_HOST}: the address ZMQ publishers advertise, or {@code null}. */
  public String eventPlaneHost() {
    return eventPlaneHost;
  }

  /**
   * The environment this configuration was built from ({@link #builder(Map)}; empty for {@link
   * #builder()}) with {@link Builder#variable} overrides on top: where plug-in modules read the
   * settings core does not know (their own {@link dev.dynamo4j.spi.config.Setting}s, e.g. the NATS
   * module's {@code NATS_SERVER}, the etcd module's {@code ETCD_ENDPOINTS}). Immutable.
   */
  public Map<String, String> variables() {
    return variables;
  }

  /** {@code DYN_TCP_RPC_HOST}, or {@code null} to detect the local address. */
  public String tcpRpcHost() {
    return tcpRpcHost;
  }

  /** {@code DYN_TCP_RPC_PORT}; 0 lets the OS choose. */
  public int tcpRpcPort() {
    return tcpRpcPort;
  }

  /** {@code DYN_TCP_RESPONSE_STREAM_HOST}, or {@code null}. */
  public String tcpResponseStreamHost() {
    return tcpResponseStreamHost;
  }

  /** {@code DYN_TCP_RESPONSE_STREAM_PORT}; 0 lets the OS choose. */
  public int tcpResponseStreamPort() {
    return tcpResponseStreamPort;
  }

  /** {@code DYN_TCP_MAX_MESSAGE_SIZE}: 32 MiB by default. */
  public long tcpMaxMessageSize() {
    return tcpMaxMessageSize;
  }

  /** {@code DYN_TCP_WORKER_POOL_SIZE}: concurrent handlers per process, 10000 by default. */
  public int tcpWorkerPoolSize() {
    return tcpWorkerPoolSize;
  }

  /** {@code DYN_TCP_WORK_QUEUE_SIZE}: queued requests beyond the pool, 40000 by default. */
  public int tcpWorkQueueSize() {
    return tcpWorkQueueSize;
  }

  /** {@code DYN_TCP_REQUEST_TIMEOUT}: send to ACK, 5 s by default. */
  public Duration tcpRequestTimeout() {
    return tcpRequestTimeout;
  }

  /** {@code DYN_TCP_CONNECT_TIMEOUT}: 5 s by default. */
  public Duration tcpConnectTimeout() {
    return tcpConnectTimeout;
  }

  /** {@code DYN_TCP_POOL_SIZE}: connections per worker address, 100 by default. */
  public int tcpPoolSize() {
    return tcpPoolSize;
  }

  /** Response-stream deadlines and the multiplexed response path; see {@link ResponseStreamOptions}. */
  public ResponseStreamOptions responseStreams() {
    return responseStreams;
  }

  /** What the TCP request server holds for unfinished frames; see {@link dev.dynamo4j.spi.config.TcpServerLimits}. */
  public TcpServerLimits tcpServerLimits() {
    return tcpServerLimits;
  }

  /** TLS of the TCP request and response planes; see {@link dev.dynamo4j.spi.config.TcpTlsSettings}. */
  public TcpTlsSettings tcpTls() {
    return tcpTls;
  }

  /** System status server settings besides host and port; see {@link dev.dynamo4j.spi.config.SystemStatusOptions}. */
  public SystemStatusOptions systemStatus() {
    return systemStatus;
  }

  /** {@code DYN_RUNTIME_INHIBITED_DURATION_SECS}: 5 s by default, zero disables inhibition. */
  public Duration inhibitedDuration() {
    return inhibitedDuration;
  }

  /** {@code DYN_WORKER_GRACEFUL_SHUTDOWN_TIMEOUT}: 30 s by default (Dynamo's release value). */
  public Duration gracefulShutdownTimeout() {
    return gracefulShutdownTimeout;
  }

  /** {@code DYN_SYSTEM_HOST}: 0.0.0.0 by default. */
  public String systemHost() {
    return systemHost;
  }

  /** {@code DYN_SYSTEM_PORT}: -1 (off) by default, 0 = any port. */
  public int systemPort() {
    return systemPort;
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.discoveryBackend = discoveryBackend;
    b.fileKvRoot = fileKvRoot;
    b.requestPlane = requestPlane;
    b.requestPlaneCodec = requestPlaneCodec;
    b.eventPlane = eventPlane;
    b.eventPlaneCodec = eventPlaneCodec;
    b.tcpRpcHost = tcpRpcHost;
    b.tcpRpcPort = tcpRpcPort;
    b.tcpResponseStreamHost = tcpResponseStreamHost;
    b.tcpResponseStreamPort = tcpResponseStreamPort;
    b.tcpMaxMessageSize = tcpMaxMessageSize;
    b.tcpWorkerPoolSize = tcpWorkerPoolSize;
    b.tcpWorkQueueSize = tcpWorkQueueSize;
    b.tcpRequestTimeout = tcpRequestTimeout;
    b.tcpConnectTimeout = tcpConnectTimeout;
    b.tcpPoolSize = tcpPoolSize;
    b.inhibitedDuration = inhibitedDuration;
    b.gracefulShutdownTimeout = gracefulShutdownTimeout;
    b.systemHost = systemHost;
    b.systemPort = systemPort;
    b.eventPlaneHost = eventPlaneHost;
    b.variables.putAll(variables);
    b.responseStreams = responseStreams;
    b.systemStatus = systemStatus;
    b.tcpServerLimits = tcpServerLimits;
    b.tcpTls = tcpTls;
    return b;
  }

  @Override
  public String toString() {
    return "RuntimeConfig[discovery=" + discoveryBackend + ", requestPlane=" + requestPlane
        + ", codec=" + requestPlaneCodec.wireName() + ", eventPlane=" + eventPlane + "]";
  }

  private static final String NONE = "none (no module that provides one is on the class path)";

  /** {@code 'a', 'b'}: how Dynamo lists valid values in its errors. */
  private static String quoted(List<String> values) {
    return values.isEmpty() ? NONE : String.join(", ", values.stream().map(n -> "'" + n + "'").toList());
  }

  private static String name(String name, String variable) {
    String n = Objects.requireNonNull(name, variable).trim();
    if (n.isEmpty()) {
      throw invalid(variable + " names no plug-in: the value is empty");
    }
    return n;
  }

  static DynamoException invalid(String message) {
    return new DynamoException(ErrorType.InvalidArgument, message);
  }

  /** Builds a {@link RuntimeConfig}; setters validate at once. */
  public static final class Builder {
    private String discoveryBackend = "file";
    private Path fileKvRoot = Path.of(System.getProperty("java.io.tmpdir"), "dynamo_store_kv");
    private String requestPlane = "tcp";
    private PayloadCodec requestPlaneCodec = PayloadCodec.MSGPACK;
    private String eventPlane = "zmq";
    private PayloadCodec eventPlaneCodec;
    private String tcpRpcHost;
    private int tcpRpcPort;
    private String tcpResponseStreamHost;
    private int tcpResponseStreamPort;
    private long tcpMaxMessageSize = 32L * 1024 * 1024;
    private int tcpWorkerPoolSize = 10_000;
    private int tcpWorkQueueSize = 40_000;
    private Duration tcpRequestTimeout = Duration.ofSeconds(5);
    private Duration tcpConnectTimeout = Duration.ofSeconds(5);
    private int tcpPoolSize = 100;
    private Duration inhibitedDuration = Duration.ofSeconds(5);
    private Duration gracefulShutdownTimeout = Duration.ofSeconds(30);
    private String systemHost = "0.0.0.0";
    private int systemPort = -1;
    private String eventPlaneHost;
    private final Map<String, String> variables = new HashMap<>();
    private ResponseStreamOptions responseStreams = ResponseStreamOptions.DEFAULTS;
    private SystemStatusOptions systemStatus = SystemStatusOptions.DEFAULTS;
    private TcpServerLimits tcpServerLimits = TcpServerLimits.DEFAULTS;
    private TcpTlsSettings tcpTls = TcpTlsSettings.OFF;

    private Builder() {}

    /** Response-stream deadlines and mux settings (the {@code DYN_*} names of {@link ResponseStreamOptions}). */
    public Builder responseStreams(ResponseStreamOptions options) {
      this.responseStreams = Objects.requireNonNull(options, "options");
      return this;
    }

    /** TLS of the TCP planes (the {@code DYN_TCP_TLS_*} names of {@link dev.dynamo4j.spi.config.TcpTlsSettings}). */
    public Builder tcpTls(TcpTlsSettings tls) {
      this.tcpTls = Objects.requireNonNull(tls, "tls");
      return this;
    }

    /** Limits of the TCP request server ({@code DYN_TCP_MAX_PENDING_BYTES}, {@code DYN_TCP_FRAME_TIMEOUT_SECS}, {@code DYN_TCP_IDLE_TIMEOUT_SECS}). */
    public Builder tcpServerLimits(TcpServerLimits limits) {
      this.tcpServerLimits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /** System status server settings ({@code DYN_SYSTEM_HEALTH_PATH}, {@code _LIVE_PATH}, {@code _STARTING_HEALTH_STATUS}). */
    public Builder systemStatus(SystemStatusOptions options) {
      this.systemStatus = Objects.requireNonNull(options, "options");
      return this;
    }

    Builder applyEnv(Map<String, String> env) {
      responseStreams = ResponseStreamOptions.fromEnv(env, responseStreams);
      systemStatus = SystemStatusOptions.fromEnv(env, systemStatus);
      tcpServerLimits = TcpServerLimits.fromEnv(env, tcpServerLimits);
      tcpTls = TcpTlsSettings.fromEnv(env, tcpTls);
      RuntimeSettings.RESPONSE_PLANE.read(env); // fails on a plane dynamo4j does not speak
      String v;
      if ((v = RuntimeSettings.DISCOVERY_BACKEND.read(env, null)) != null) {
        discoveryBackend(v);
      }
      fileKvRoot = RuntimeSettings.FILE_KV.read(env, fileKvRoot);
      if ((v = RuntimeSettings.REQUEST_PLANE.read(env, null)) != null) {
        String name = v.trim().toLowerCase(Locale.ROOT);
        List<String> valid = Settings.choices(Settings.REQUEST_PLANE_VARIABLE);
        if (valid.contains(name)) {
          requestPlane = name;
        } else { // Dynamo warns and uses tcp
          log.warn("Invalid request plane mode: '{}'. Valid options are: {}; using tcp", v, quoted(valid));
          requestPlane = "tcp";
        }
      }
      if ((v = RuntimeSettings.REQUEST_PLANE_CODEC.read(env, null)) != null) {
        PayloadCodec c = PayloadCodec.fromWireName(v);
        if (c == null) {
          log.warn("Invalid DYN_REQUEST_PLANE_CODEC value '{}'; using msgpack", v);
          c = PayloadCodec.MSGPACK;
        }
        requestPlaneCodec = c;
      }
      if ((v = RuntimeSettings.EVENT_PLANE.read(env, null)) != null) {
        if (v.trim().equals(IN_PROCESS)) {
          throw invalid("Invalid DYN_EVENT_PLANE value '" + v + "'. Valid values: " + quoted(Settings.choices(Settings.EVENT_PLANE_VARIABLE)));
        }
        eventPlane(v);
      }
      if ((v = RuntimeSettings.EVENT_PLANE_CODEC.read(env, null)) != null) {
        eventPlaneCodec = parseEventCodec(v);
      }
      if ((v = RuntimeSettings.EVENT_PLANE_HOST.read(env, null)) != null) {
        eventPlaneHost(v);
      }
      env.forEach((k, val) -> {
        if (k != null && val != null) {
          variables.put(k, val);
        }
      });
      tcpRpcHost = RuntimeSettings.TCP_RPC_HOST.read(env, tcpRpcHost);
      tcpRpcPort = RuntimeSettings.TCP_RPC_PORT.read(env, tcpRpcPort);
      tcpResponseStreamHost = RuntimeSettings.TCP_RESPONSE_STREAM_HOST.read(env, tcpResponseStreamHost);
      tcpResponseStreamPort = RuntimeSettings.TCP_RESPONSE_STREAM_PORT.read(env, tcpResponseStreamPort);
      tcpMaxMessageSize = RuntimeSettings.TCP_MAX_MESSAGE_SIZE.read(env, tcpMaxMessageSize);
      tcpWorkerPoolSize = RuntimeSettings.TCP_WORKER_POOL_SIZE.read(env, (long) tcpWorkerPoolSize).intValue();
      tcpWorkQueueSize = RuntimeSettings.TCP_WORK_QUEUE_SIZE.read(env, (long) tcpWorkQueueSize).intValue();
      tcpRequestTimeout = Duration.ofSeconds(RuntimeSettings.TCP_REQUEST_TIMEOUT.read(env, tcpRequestTimeout.toSeconds()));
      tcpConnectTimeout = Duration.ofSeconds(RuntimeSettings.TCP_CONNECT_TIMEOUT.read(env, tcpConnectTimeout.toSeconds()));
      tcpPoolSize = RuntimeSettings.TCP_POOL_SIZE.read(env, (long) tcpPoolSize).intValue();
      if ((v = RuntimeSettings.INHIBITED_DURATION.read(env, null)) != null) {
        try {
          inhibitedDuration = Duration.ofSeconds(Long.parseUnsignedLong(v.trim()));
        } catch (NumberFormatException e) {
          log.warn("Invalid DYN_RUNTIME_INHIBITED_DURATION_SECS value '{}'; using 5 s", v);
          inhibitedDuration = Duration.ofSeconds(5);
        }
      }
      if ((v = RuntimeSettings.GRACEFUL_SHUTDOWN_TIMEOUT.read(env, null)) != null) {
        try {
          gracefulShutdownTimeout = Duration.ofSeconds(Long.parseUnsignedLong(v.trim()));
        } catch (NumberFormatException e) {
          log.warn("Invalid DYN_WORKER_GRACEFUL_SHUTDOWN_TIMEOUT value '{}'; using 30 s", v);
          gracefulShutdownTimeout = Duration.ofSeconds(30);
        }
      }
      systemHost = RuntimeSettings.SYSTEM_HOST.read(env, systemHost);
      systemPort = RuntimeSettings.SYSTEM_PORT.read(env, systemPort);
      for (var deprecated : List.of(RuntimeSettings.SYSTEM_ENABLED, RuntimeSettings.SYSTEM_USE_ENDPOINT_HEALTH_STATUS)) {
        if (deprecated.isSet(env)) {
          log.warn("{} is deprecated and has no effect", deprecated.name());
        }
      }
      return this;
    }
    /**
     * The discovery backend by name: one a module on the class path offers ({@code file}, {@code
     * mem}; {@code etcd}, {@code nats}, {@code kubernetes} with their modules).
     *
     * @throws DynamoException {@code InvalidArgument}, Dynamo's {@code Unknown DYN_DISCOVERY_BACKEND
     *     value '<name>'. Valid options: ...} listing the offered names
     */
    public Builder discoveryBackend(String backend) {
      String b = name(backend, Settings.DISCOVERY_BACKEND_VARIABLE).toLowerCase(Locale.ROOT);
      List<String> valid = Settings.choices(Settings.DISCOVERY_BACKEND_VARIABLE);
      if (!valid.contains(b)) {
        throw invalid("Unknown DYN_DISCOVERY_BACKEND value '" + backend + "'. Valid options: " + (valid.isEmpty() ? NONE : String.join(", ", valid)));
      }
      this.discoveryBackend = b;
      return this;
    }

    public Builder fileKvRoot(Path root) {
      this.fileKvRoot = Objects.requireNonNull(root);
      return this;
    }

    /**
     * The request plane by name: one a module on the class path offers ({@code tcp}, {@code nats},
     * {@code zmq}) or {@link #IN_PROCESS}.
     *
     * @throws DynamoException {@code InvalidArgument}, Dynamo's {@code Invalid request plane mode:
     *     '<name>'. Valid options are: ...} listing the offered names
     */
    public Builder requestPlane(String name) {
      String n = name(name, Settings.REQUEST_PLANE_VARIABLE).toLowerCase(Locale.ROOT);
      List<String> valid = Settings.choices(Settings.REQUEST_PLANE_VARIABLE);
      if (!n.equals(IN_PROCESS) && !valid.contains(n)) {
        throw invalid("Invalid request plane mode: '" + name + "'. Valid options are: " + quoted(valid));
      }
      this.requestPlane = n;
      return this;
    }

    public Builder requestPlaneCodec(PayloadCodec codec) {
      this.requestPlaneCodec = Objects.requireNonNull(codec);
      return this;
    }

    /**
     * Only {@code tcp} is implemented. {@code quic} and {@code velo} are Dynamo planes dynamo4j
     * does not speak; anything else is Dynamo's error.
     */
    public Builder responsePlane(String mode) {
      switch (mode) {
        case "tcp" -> {}
        case "quic", "velo" -> throw invalid("DYN_RESPONSE_PLANE '" + mode + "' is not supported by dynamo4j; use 'tcp'");
        default -> throw invalid("invalid DYN_RESPONSE_PLANE value '" + mode + "'; expected 'tcp', 'quic', or 'velo'");
      }
      return this;
    }

    /**
     * The event plane by name: one a module on the class path offers ({@code zmq}, {@code nats})
     * or {@link #IN_PROCESS}.
     *
     * @throws DynamoException {@code InvalidArgument}, Dynamo's {@code Invalid DYN_EVENT_PLANE value
     *     '<name>'. Valid values: ...} listing the offered names
     */
    public Builder eventPlane(String name) {
      String n = name(name, Settings.EVENT_PLANE_VARIABLE);
      List<String> valid = Settings.choices(Settings.EVENT_PLANE_VARIABLE);
      if (!n.equals(IN_PROCESS) && !valid.contains(n)) {
        throw invalid("Invalid DYN_EVENT_PLANE value '" + name + "'. Valid values: " + quoted(valid));
      }
      this.eventPlane = n;
      return this;
    }

    /**
     * @throws DynamoException {@code Invalid DYN_EVENT_PLANE_HOST value '<v>': unspecified IP
     *     addresses cannot be advertised} for 0.0.0.0, :: and ::ffff:0.0.0.0
     */
    public Builder eventPlaneHost(String host) {
      String t = host == null ? null : host.trim();
      if (t != null && !t.isEmpty()) {
        String bare = t.startsWith("[") && t.endsWith("]") ? t.substring(1, t.length() - 1) : t;
        if (bare.equals("0.0.0.0") || bare.equals("::") || bare.equalsIgnoreCase("::ffff:0.0.0.0") || bare.equals("0:0:0:0:0:0:0:0")) {
          throw invalid("Invalid DYN_EVENT_PLANE_HOST value '" + host + "': unspecified IP addresses cannot be advertised");
        }
      }
      this.eventPlaneHost = t == null || t.isEmpty() ? null : t;
      return this;
    }

    /**
     * Sets environment variable {@code name} for this configuration only, as a command-line option
     * would (e.g. {@code NATS_SERVER}, {@code ETCD_ENDPOINTS}, read by their modules from {@link
     * RuntimeConfig#variables()}); {@code null} removes it.
     */
    public Builder variable(String name, String value) {
      if (value == null) {
        variables.remove(Objects.requireNonNull(name, "name"));
      } else {
        variables.put(Objects.requireNonNull(name, "name"), value);
      }
      return this;
    }

    public Builder eventPlaneCodec(PayloadCodec codec) {
      this.eventPlaneCodec = codec;
      return this;
    }

    public Builder tcpRpcHost(String host) {
      this.tcpRpcHost = host;
      return this;
    }

    public Builder tcpRpcPort(int port) {
      this.tcpRpcPort = checkPort("DYN_TCP_RPC_PORT", port);
      return this;
    }

    public Builder tcpResponseStreamHost(String host) {
      this.tcpResponseStreamHost = host;
      return this;
    }

    public Builder tcpResponseStreamPort(int port) {
      this.tcpResponseStreamPort = checkPort("DYN_TCP_RESPONSE_STREAM_PORT", port);
      return this;
    }

    public Builder tcpMaxMessageSize(long bytes) {
      if (bytes < 64) {
        throw invalid("DYN_TCP_MAX_MESSAGE_SIZE must be at least 64 bytes, got " + bytes);
      }
      this.tcpMaxMessageSize = bytes;
      return this;
    }

    public Builder tcpWorkerPool(int poolSize, int queueSize) {
      if (poolSize < 1 || queueSize < 0) {
        throw invalid("worker pool size must be >= 1 and queue size >= 0, got " + poolSize + " / " + queueSize);
      }
      this.tcpWorkerPoolSize = poolSize;
      this.tcpWorkQueueSize = queueSize;
      return this;
    }

    public Builder tcpRequestTimeout(Duration d) {
      this.tcpRequestTimeout = positive("DYN_TCP_REQUEST_TIMEOUT", d);
      return this;
    }

    public Builder tcpConnectTimeout(Duration d) {
      this.tcpConnectTimeout = positive("DYN_TCP_CONNECT_TIMEOUT", d);
      return this;
    }

    public Builder tcpPoolSize(int n) {
      if (n < 1) {
        throw invalid("DYN_TCP_POOL_SIZE must be at least 1, got " + n);
      }
      this.tcpPoolSize = n;
      return this;
    }

    /** Zero disables inhibition. */
    public Builder inhibitedDuration(Duration d) {
      if (d.isNegative()) {
        throw invalid("inhibited duration must not be negative");
      }
      this.inhibitedDuration = d;
      return this;
    }

    public Builder gracefulShutdownTimeout(Duration d) {
      if (d.isNegative()) {
        throw invalid("graceful shutdown timeout must not be negative");
      }
      this.gracefulShutdownTimeout = d;
      return this;
    }

    /** {@code DYN_SYSTEM_HOST}: the address the system status server binds. */
    public Builder systemHost(String host) {
      if (host == null || host.isBlank()) {
        throw invalid("Invalid DYN_SYSTEM_HOST value '" + host + "'");
      }
      this.systemHost = host.trim();
      return this;
    }

    public Builder systemPort(int port) {
      if (port < -1 || port > 65535) {
        throw invalid("Invalid DYN_SYSTEM_PORT value '" + port + "'");
      }
      this.systemPort = port;
      return this;
    }

    public RuntimeConfig build() {
      return new RuntimeConfig(this);
    }

    private static Duration positive(String name, Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw invalid(name + " must be positive, got " + d);
      }
      return d;
    }

    private static int checkPort(String name, int port) {
      if (port < 0 || port > 65535) {
        throw invalid("invalid " + name + ": '" + port + "' is not a valid port number");
      }
      return port;
    }

    private static PayloadCodec parseEventCodec(String v) {
      return switch (v.trim()) {
        case "json" -> PayloadCodec.JSON;
        case "msgpack" -> PayloadCodec.MSGPACK;
        default -> throw invalid("Invalid DYN_EVENT_PLANE_CODEC value '" + v + "'. Valid values: 'json', 'msgpack'");
      };
    }
  }
}
