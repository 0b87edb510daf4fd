package dev.dynamo4j.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.wire.Json;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes this worker's {@code DynamoWorkerMetadata} as Dynamo's {@code kube.rs} does, through the
 * Kubernetes client's HTTP stack (its authentication and TLS): at start {@link #clearStale()}
 * fences and deletes a resource left by an earlier container of the same pod; {@link #apply}
 * server-side applies the whole resource ({@code PATCH ...?fieldManager=dynamo-worker&force=true},
 * {@code application/apply-patch+yaml}, the body JSON) with an owner reference to the Pod, so the
 * resource is garbage-collected with it.
 *
 * <p>Failure: every request ends within {@code timeout}; an answer other than the expected ones
 * is {@code Unavailable} naming the method, path, status and the API server's message (no
 * credentials are ever part of it). Thread-safe; callers serialise writes.
 */
final class MetadataWriter {
  static final String GROUP_VERSION = "nvidia.com/v1alpha1";
  static final String KIND = "DynamoWorkerMetadata";
  static final String PLURAL = "dynamoworkermetadatas";
  static final String FIELD_MANAGER = "dynamo-worker";
  static final String APPLY_PATCH = "application/apply-patch+yaml";

  private final HttpClient http;
  private final String base;
  private final KubeIdentity id;
  private final Duration timeout;

  /**
   * @param masterUrl the API server, e.g. {@code https://10.0.0.1:443/}
   */
  MetadataWriter(HttpClient http, String masterUrl, KubeIdentity id, Duration timeout) {
    this.http = http;
    this.base = masterUrl.endsWith("/") ? masterUrl.substring(0, masterUrl.length() - 1) : masterUrl;
    this.id = id;
    this.timeout = timeout;
  }

  /** {@code /apis/nvidia.com/v1alpha1/namespaces/<ns>/dynamoworkermetadatas/<cr>} */
  String path() {
    return "/apis/" + GROUP_VERSION + "/namespaces/" + id.namespace() + "/" + PLURAL + "/" + id.crName();
  }

  /** The whole resource for {@code data}. */
  ObjectNode resource(ObjectNode data) {
    ObjectNode r = JsonNodeFactory.instance.objectNode();
    r.put("apiVersion", GROUP_VERSION);
    r.put("kind", KIND);
    ObjectNode md = r.putObject("metadata");
    md.put("name", id.crName());
    md.put("namespace", id.namespace());
    ObjectNode owner = md.putArray("ownerReferences").addObject();
    owner.put("apiVersion", "v1");
    owner.put("kind", "Pod");
    owner.put("name", id.podName());
    owner.put("uid", id.podUid());
    owner.put("controller", false);
    owner.put("blockOwnerDeletion", false);
    r.putObject("spec").set("data", data);
    return r;
  }

  /** Server-side applies the resource holding {@code data}; returns its new resourceVersion (null when the answer has none). */
  String apply(ObjectNode data) {
    byte[] body = resource(data).toString().getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> r = send("PATCH", path() + "?fieldManager=" + FIELD_MANAGER + "&force=true", APPLY_PATCH, body);
    if (r.code() != 200 && r.code() != 201) {
      throw failed("PATCH", r);
    }
    return resourceVersion(r.body());
  }

  static String resourceVersion(String body) {
    try {
      JsonNode v = Json.parseObject("DynamoWorkerMetadata", body.getBytes(StandardCharsets.UTF_8)).path("metadata").get("resourceVersion");
      return v == null || !v.isTextual() ? null : v.textValue();
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Removes a resource an earlier container of this pod left behind. It is only deleted when it
   * is provably this pod's: exactly one owner reference, to this Pod by name and uid, and not
   * already being deleted; the DELETE carries the uid and resourceVersion just read as
   * preconditions, so a resource replaced meanwhile is not touched; afterwards it must be gone.
   *
   * @throws DynamoException {@code Unavailable} ("refusing to clear discovery metadata ...") for a
   *     resource that is not provably ours, or when the API server fails a request
   */
  void clearStale() {
    HttpResponse<String> got = send("GET", path(), null, null);
    if (got.code() == 404) {
      return;
    }
    if (got.code() != 200) {
      throw failed("GET", got);
    }
    JsonNode r = Json.parseObject("DynamoWorkerMetadata", got.body().getBytes(StandardCharsets.UTF_8));
    JsonNode meta = r.path("metadata");
    JsonNode owners = meta.path("ownerReferences");
    boolean ours = owners.isArray() && owners.size() == 1
        && "v1".equals(owners.get(0).path("apiVersion").asText()) && "Pod".equals(owners.get(0).path("kind").asText())
        && id.podName().equals(owners.get(0).path("name").asText()) && id.podUid().equals(owners.get(0).path("uid").asText());
    if (!ours) {
      throw new DynamoException(ErrorType.Unavailable, "refusing to clear discovery metadata " + id.namespace() + "/" + id.crName()
          + ": it is not owned by this pod alone (" + id.podName() + ", uid " + id.podUid() + ")");
    }
    if (meta.hasNonNull("deletionTimestamp")) {
      throw new DynamoException(ErrorType.Unavailable, "refusing to clear discovery metadata " + id.namespace() + "/" + id.crName()
          + ": it is already being deleted");
    }
    String uid = meta.path("uid").asText("");
    String version = meta.path("resourceVersion").asText("");
    if (uid.isEmpty() || version.isEmpty()) {
      throw new DynamoException(ErrorType.Unavailable, "refusing to clear discovery metadata " + id.namespace() + "/" + id.crName()
          + ": it has no uid or resourceVersion to fence the delete with");
    }
    ObjectNode options = JsonNodeFactory.instance.objectNode();
    options.put("apiVersion", "v1");
    options.put("kind", "DeleteOptions");
    ObjectNode pre = options.putObject("preconditions");
    pre.put("uid", uid);
    pre.put("resourceVersion", version);
    HttpResponse<String> del = send("DELETE", path(), "application/json", options.toString().getBytes(StandardCharsets.UTF_8));
    if (del.code() != 200 && del.code() != 202 && del.code() != 404) {
      throw failed("DELETE", del);
    }
    HttpResponse<String> after = send("GET", path(), null, null);
    if (after.code() != 404) {
      throw new DynamoException(ErrorType.Unavailable, "refusing to start: discovery metadata " + id.namespace() + "/" + id.crName()
          + " is still there after it was deleted (HTTP " + after.code() + "); it was replaced meanwhile");
    }
  }

  private HttpResponse<String> send(String method, String pathAndQuery, String contentType, byte[] body) {
    HttpRequest.Builder b = http.newHttpRequestBuilder().uri(base + pathAndQuery).header("Accept", "application/json");
    if (body != null) {
      b.method(method, contentType, new String(body, StandardCharsets.UTF_8));
    } else {
      b.method(method, null, null);
    }
    try {
      return http.sendAsync(b.build(), String.class).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DynamoException(ErrorType.Cancelled, "interrupted during " + method + " " + pathAndQuery, e);
    } catch (TimeoutException e) {
      throw new DynamoException(ErrorType.Unavailable, method + " " + pathAndQuery + " got no answer from the Kubernetes API server within " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      throw new DynamoException(ErrorType.Unavailable, method + " " + pathAndQuery + " failed: " + e.getCause(), e.getCause());
    }
  }

  private static DynamoException failed(String method, HttpResponse<String> r) {
    String message = r.body() == null ? "" : r.body();
    try {
      JsonNode status = Json.parseObject("Status", message.getBytes(StandardCharsets.UTF_8));
      if (status.hasNonNull("message")) {
        message = status.get("message").asText();
      }
    } catch (RuntimeException notJson) {
      // the body as it is, cut short
    }
    if (message.length() > 300) {
      message = message.substring(0, 300) + "...";
    }
    return new DynamoException(ErrorType.Unavailable, method + " of this worker's DynamoWorkerMetadata failed: HTTP " + r.code() + (message.isEmpty() ? "" : ": " + message));
  }
}
