package dev.dynamo4j.discovery;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.wire.Json;
import dev.dynamo4j.wire.PayloadCodec;
import dev.dynamo4j.wire.WireFormatException;
import java.io.IOException;
import java.util.Locale;
import java.util.Objects;

/**
 * The discovery record of one running endpoint. JSON, keys in this order: {@code component,
 * endpoint, namespace, instance_id, transport}, then {@code device_type} and {@code
 * request_plane_codec} when set. Inside discovery it carries the tag {@code "type":"Endpoint"}
 * first ({@link #toDiscoveryJson()}).
 *
 * <p>Following the spec's resolution, dynamo4j workers write {@code request_plane_codec} and leave
 * {@code device_type} out until its spelling is confirmed (an absent key reads as unspecified in
 * Rust; a wrong spelling would reject the record). On read {@code device_type} is accepted in any
 * case, absent or {@code null}.
 *
 * @param instanceId unsigned 64-bit id (a {@code long} in two's complement above 2^63)
 * @param deviceType {@code cpu}, {@code cuda} or {@code null}
 * @param requestPlaneCodec the codec the worker accepts; {@code null} means a legacy JSON-only worker
 */
public record Instance(
    String namespace,
    String component,
    String endpoint,
    long instanceId,
    TransportType transport,
    String deviceType,
    PayloadCodec requestPlaneCodec) {
  static final String FORMAT = "Instance";

  public Instance {
    Objects.requireNonNull(namespace);
    Objects.requireNonNull(component);
    Objects.requireNonNull(endpoint);
    Objects.requireNonNull(transport);
  }

  public EndpointId endpointId() {
    return new EndpointId(namespace, component, endpoint);
  }

  /** The id in lower-case hex without padding, as in paths and subjects. */
  public String instanceIdHex() {
    return Long.toHexString(instanceId);
  }

  /** The codec a caller must use for this worker: its advertised one, JSON when absent. */
  public PayloadCodec effectiveCodec() {
    return requestPlaneCodec == null ? PayloadCodec.JSON : requestPlaneCodec;
  }

  /** Dynamo's display: {@code ns/comp/ep/<id decimal>}. */
  @Override
  public String toString() {
    return namespace + "/" + component + "/" + endpoint + "/" + Long.toUnsignedString(instanceId);
  }

  public byte[] toJson() {
    return Json.write(g -> write(g, false));
  }

  /** The discovery value: the same JSON with {@code "type":"Endpoint"} first. */
  public byte[] toDiscoveryJson() {
    return Json.write(g -> write(g, true));
  }

  public void write(JsonGenerator g, boolean tagged) throws IOException {
    g.writeStartObject();
    if (tagged) {
      g.writeStringField("type", "Endpoint");
    }
    g.writeStringField("component", component);
    g.writeStringField("endpoint", endpoint);
    g.writeStringField("namespace", namespace);
    g.writeFieldName("instance_id");
    Json.writeUnsigned(g, instanceId);
    g.writeFieldName("transport");
    transport.write(g);
    if (deviceType != null) {
      g.writeStringField("device_type", deviceType);
    }
    if (requestPlaneCodec != null) {
      g.writeStringField("request_plane_codec", requestPlaneCodec.wireName());
    }
    g.writeEndObject();
  }

  public static Instance fromJson(byte[] json) {
    return read(Json.parseObject(FORMAT, json));
  }

  /** Reads an instance (tagged or not); unknown keys are ignored. */
  public static Instance read(JsonNode n) {
    String device = Json.optionalText(FORMAT, n, "device_type");
    String codecName = Json.optionalText(FORMAT, n, "request_plane_codec");
    PayloadCodec codec = codecName == null ? null : PayloadCodec.fromWireName(codecName);
    if (codecName != null && codec == null) {
      throw new WireFormatException(FORMAT, "unknown request_plane_codec '" + codecName + "'");
    }
    return new Instance(
        Json.requireText(FORMAT, n, "namespace"),
        Json.requireText(FORMAT, n, "component"),
        Json.requireText(FORMAT, n, "endpoint"),
        Json.requireU64(FORMAT, n, "instance_id"),
        TransportType.read(FORMAT, n.get("transport")),
        device == null ? null : device.toLowerCase(Locale.ROOT),
        codec);
  }
}
