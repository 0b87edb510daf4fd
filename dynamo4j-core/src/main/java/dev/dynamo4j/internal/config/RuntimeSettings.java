package dev.dynamo4j.internal.config;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.spi.config.ResponseStreamOptions;
import dev.dynamo4j.spi.config.Setting;
import dev.dynamo4j.spi.config.Settings;
import dev.dynamo4j.spi.config.SettingsProvider;
import dev.dynamo4j.spi.config.SystemStatusOptions;
import dev.dynamo4j.spi.config.TcpServerLimits;
import dev.dynamo4j.spi.config.TcpTlsSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The variables {@link RuntimeConfig} reads itself, declared once each (the option groups it
 * holds declare theirs: {@code ResponseStreamOptions}, {@code TcpServerLimits}, {@code
 * TcpTlsSettings}, {@code SystemStatusOptions}). Where Dynamo falls back
 * to a default with a warning on a bad value, the setting is read as text and {@link
 * RuntimeConfig} does the same; everything else fails with the variable's name.
 */
public final class RuntimeSettings {
  private RuntimeSettings() {}

  private static final Setting.Declarer CORE = Setting.in("dynamo4j-core");

  public static final Setting<String> DISCOVERY_BACKEND = CORE.text("DYN_DISCOVERY_BACKEND", "file",
      "Discovery backend: kubernetes, etcd, file, mem, nats (Dynamo's default is etcd; dynamo4j's file needs no server).");
  public static final Setting<Path> FILE_KV = CORE.custom("DYN_FILE_KV", null, "<tmp>/dynamo_store_kv",
      "Root directory of the file store shared by the processes of one machine.", Path::of);
  public static final Setting<String> REQUEST_PLANE = CORE.text("DYN_REQUEST_PLANE", "tcp",
      "Request plane: tcp, nats, or zmq (ours); anything else warns and uses tcp, as Dynamo does.");
  public static final Setting<String> REQUEST_PLANE_CODEC = CORE.text("DYN_REQUEST_PLANE_CODEC", "msgpack",
      "Codec of requests and responses a worker accepts: msgpack or json; anything else warns and uses msgpack.");
  public static final Setting<String> RESPONSE_PLANE = CORE.custom("DYN_RESPONSE_PLANE", "tcp", "tcp",
      "Response plane: tcp (quic and velo are Dynamo planes dynamo4j does not speak).", v -> {
        switch (v) {
          case "tcp" -> {
            return v;
          }
          case "quic", "velo" -> throw new DynamoException(ErrorType.InvalidArgument, "DYN_RESPONSE_PLANE '" + v + "' is not supported by dynamo4j; use 'tcp'");
          default -> throw new DynamoException(ErrorType.InvalidArgument, "invalid DYN_RESPONSE_PLANE value '" + v + "'; expected 'tcp', 'quic', or 'velo'");
        }
      });
  public static final Setting<String> EVENT_PLANE = CORE.text("DYN_EVENT_PLANE", "zmq",
      "Event plane: zmq or nats (each with its module); anything else is an error.");
  public static final Setting<String> EVENT_PLANE_CODEC = CORE.custom("DYN_EVENT_PLANE_CODEC", null, "json on NATS, msgpack on ZMQ",
      "Codec of event payloads: json or msgpack.", v -> switch (v) {
        case "json", "msgpack" -> v;
        default -> throw new DynamoException(ErrorType.InvalidArgument, "Invalid DYN_EVENT_PLANE_CODEC value '" + v + "'. Valid values: 'json', 'msgpack'");
      });
  public static final Setting<String> EVENT_PLANE_HOST = CORE.text("DYN_EVENT_PLANE_HOST", null,
      "Address ZMQ publishers advertise (an IP or name, not 0.0.0.0); default the local address.");
  public static final Setting<String> TCP_RPC_HOST = CORE.text("DYN_TCP_RPC_HOST", null,
      "Address the request server binds and advertises (an IP or name); default the local address.");
  public static final Setting<Integer> TCP_RPC_PORT = CORE.custom("DYN_TCP_RPC_PORT", 0, "0 (any)", "Port of the request server; 0 lets the OS choose.", v -> port("DYN_TCP_RPC_PORT", v));
  public static final Setting<String> TCP_RESPONSE_STREAM_HOST = CORE.text("DYN_TCP_RESPONSE_STREAM_HOST", null,
      "Address a caller's response-stream listener binds and advertises; default the local address.");
  public static final Setting<Integer> TCP_RESPONSE_STREAM_PORT = CORE.custom("DYN_TCP_RESPONSE_STREAM_PORT", 0, "0 (any)",
      "Port of a caller's response-stream listener; 0 lets the OS choose.", v -> port("DYN_TCP_RESPONSE_STREAM_PORT", v));
  public static final Setting<Long> TCP_MAX_MESSAGE_SIZE = CORE.integer("DYN_TCP_MAX_MESSAGE_SIZE", 32L * 1024 * 1024, "33554432 (32 MiB)", 1, Long.MAX_VALUE,
      "Largest request or response frame; larger requests fail before they are sent.");
  public static final Setting<Long> TCP_WORKER_POOL_SIZE = CORE.integer("DYN_TCP_WORKER_POOL_SIZE", 10_000, 1, Integer.MAX_VALUE,
      "Requests a worker process runs at once.");
  public static final Setting<Long> TCP_WORK_QUEUE_SIZE = CORE.integer("DYN_TCP_WORK_QUEUE_SIZE", 40_000, 0, Integer.MAX_VALUE,
      "Requests a worker queues beyond its pool; past it, Server overloaded.");
  public static final Setting<Long> TCP_REQUEST_TIMEOUT = CORE.integer("DYN_TCP_REQUEST_TIMEOUT", 5, 1, Long.MAX_VALUE / 1_000_000_000L,
      "Seconds from sending a request to its ACK.");
  public static final Setting<Long> TCP_CONNECT_TIMEOUT = CORE.integer("DYN_TCP_CONNECT_TIMEOUT", 5, 1, Long.MAX_VALUE / 1_000_000_000L,
      "Seconds to open a connection (and finish its TLS handshake).");
  public static final Setting<Long> TCP_POOL_SIZE = CORE.integer("DYN_TCP_POOL_SIZE", 100, 1, Integer.MAX_VALUE,
      "Connections a caller may open to one worker address.");
  public static final Setting<String> INHIBITED_DURATION = CORE.text("DYN_RUNTIME_INHIBITED_DURATION_SECS", "5",
      "Seconds an instance that failed a call is skipped by routing; 0 = never; a bad value warns and uses 5, as Dynamo does.");
  public static final Setting<String> GRACEFUL_SHUTDOWN_TIMEOUT = CORE.text("DYN_WORKER_GRACEFUL_SHUTDOWN_TIMEOUT", "30",
      "Seconds a closing worker waits for its requests in flight; a bad value warns and uses 30, as Dynamo does.");
  public static final Setting<String> SYSTEM_HOST = CORE.text("DYN_SYSTEM_HOST", "0.0.0.0", "Address of the status server (health, liveness, metrics).");
  public static final Setting<Integer> SYSTEM_PORT = CORE.custom("DYN_SYSTEM_PORT", -1, "-1 (off)", "Port of the status server: -1 off, 0 any port.", v -> {
    try {
      int p = Integer.parseInt(v);
      if (p >= -1 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException("expected -1 (off), 0 (any port) or a port number");
  });
  public static final Setting<String> SYSTEM_ENABLED = CORE.text("DYN_SYSTEM_ENABLED", null, "Deprecated by Dynamo, no effect (a warning says so); set DYN_SYSTEM_PORT.");
  public static final Setting<String> SYSTEM_USE_ENDPOINT_HEALTH_STATUS = CORE.text("DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS", null,
      "Deprecated by Dynamo, no effect (a warning says so).");

  /** Every variable of this class. */
  public static final List<Setting<?>> SETTINGS = List.of(DISCOVERY_BACKEND, FILE_KV, REQUEST_PLANE, REQUEST_PLANE_CODEC, RESPONSE_PLANE, EVENT_PLANE,
      EVENT_PLANE_CODEC, EVENT_PLANE_HOST, TCP_RPC_HOST, TCP_RPC_PORT,
      TCP_RESPONSE_STREAM_HOST, TCP_RESPONSE_STREAM_PORT, TCP_MAX_MESSAGE_SIZE, TCP_WORKER_POOL_SIZE, TCP_WORK_QUEUE_SIZE, TCP_REQUEST_TIMEOUT,
      TCP_CONNECT_TIMEOUT, TCP_POOL_SIZE, INHIBITED_DURATION, GRACEFUL_SHUTDOWN_TIMEOUT, SYSTEM_HOST, SYSTEM_PORT, SYSTEM_ENABLED,
      SYSTEM_USE_ENDPOINT_HEALTH_STATUS);

  /** Dynamo's text for a bad port. */
  private static int port(String name, String v) {
    try {
      int p = Integer.parseInt(v);
      if (p >= 0 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new DynamoException(ErrorType.InvalidArgument, "invalid " + name + ": '" + v + "' is not a valid port number");
  }

  /** Core's settings for {@link dev.dynamo4j.spi.config.Settings#all()}. */
  public static final class Provider implements SettingsProvider {
    @Override
    public Map<String, List<String>> choices() {
      return Map.of(Settings.DISCOVERY_BACKEND_VARIABLE, List.of("file", "mem"));
    }

    @Override
    public List<Setting<?>> settings() {
      List<Setting<?>> all = new ArrayList<>(SETTINGS);
      all.addAll(ResponseStreamOptions.SETTINGS);
      all.addAll(TcpServerLimits.SETTINGS);
      all.addAll(TcpTlsSettings.SETTINGS);
      all.addAll(SystemStatusOptions.SETTINGS);
      return all;
    }
  }
}
