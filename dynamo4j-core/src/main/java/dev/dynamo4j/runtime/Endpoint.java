package dev.dynamo4j.runtime;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.discovery.EndpointId;
import dev.dynamo4j.discovery.TransportType;
import dev.dynamo4j.engine.AsyncEngine;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.RequestStream;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.internal.network.Ingress;
import dev.dynamo4j.network.RouterMode;
import dev.dynamo4j.spi.discovery.DiscoveryInstance;
import dev.dynamo4j.spi.discovery.DiscoverySpec;
import dev.dynamo4j.spi.network.RequestServer;
import dev.dynamo4j.wire.Json;
import dev.dynamo4j.wire.RoutingKey;
import java.time.Duration;
import java.util.function.Supplier;

/** A named endpoint of a component: serve an engine on it, or call it through a {@link Client}. */
public final class Endpoint {
  private final Component component;
  private final String name;
  private volatile Supplier<?> statsHandler;
  private volatile boolean direct;

  Endpoint(Component component, String name) {
    this.component = component;
    this.name = Names.validateEndpoint(name);
  }

  public Component component() {
    return component;
  }

  public String name() {
    return name;
  }

  /**
   * Registers what this endpoint reports as the {@code data} of its NATS service STATS replies
   * (Dynamo's {@code stats_handler}); applies to the {@code serve} calls made after it on this
   * object. The supplier returns any Jackson-serialisable value; it runs on a virtual thread per
   * scrape and a throwing supplier reports {@code null}. Other request planes ignore it.
   */
  public Endpoint statsHandler(Supplier<?> handler) {
    this.statsHandler = handler;
    return this;
  }

  /**
   * The canary request of this endpoint (Dynamo's {@code health_check_payload}; any
   * Jackson-serialisable value, converted to the request type when sent): with {@code
   * DYN_HEALTH_CHECK_ENABLED=true} the endpoint starts {@code notready} and a canary decides, see
   * {@link dev.dynamo4j.internal.status.CanaryChecker}. Applies to the {@code serve} calls made after it;
   * without it {@code DYN_HEALTH_CHECK_PAYLOAD} applies, and without either no canary runs.
   */
  public Endpoint healthCheckPayload(Object payload) {
    this.healthCheckPayload = payload == null ? null : Json.MAPPER.valueToTree(payload);
    return this;
  }

  private JsonNode healthCheckPayload;

  /**
   * Direct mode, for engines that never block (grpc-java's {@code directExecutor}): the {@code
   * serve} calls made after it on this object run their engine on the request server's I/O
   * thread when the response stream can be opened without waiting, i.e. on an established
   * multiplexed connection to the caller (TCP request plane; a caller's first request, request
   * streams ({@code many_in}) and Dynamo callers, which want a call-home, run on a virtual thread
   * as usual). There, {@code generate} and an unstarted {@link ResponseStream#generate} producer
   * run on the I/O thread, and items are written without waiting: up to one flow-control window
   * beyond what the caller has granted is held for a stream (the stream is reset past that, so
   * direct mode suits answers of bounded size). A stream whose items come from another thread is
   * drained on a virtual thread. Saves two thread hand-offs per request; an engine that blocks
   * here stalls every connection of that I/O thread, so do not use it for one that may.
   */
  public Endpoint direct() {
    this.direct = true;
    return this;
  }

  public EndpointId id() {
    return new EndpointId(component.namespace().name(), component.name(), name);
  }

  DistributedRuntime runtime() {
    return component.namespace().runtime();
  }

  /**
   * Serves {@code engine} here: registers it with this process's request server under its
   * routing key, then registers the instance in discovery. Requests are decoded as {@code
   * requestType} with the codec the caller chose.
   *
   * @throws DynamoException {@code Unavailable} with Dynamo's text "Unable to register service for
   *     discovery. Check discovery service status" when discovery refuses (the server registration
   *     is rolled back)
   */
  public <Req, Resp> ServedEndpoint serve(Class<Req> requestType, AsyncEngine<Context<Req>, ResponseStream<Resp>> engine) {
    return serve(Json.MAPPER.constructType(requestType), engine);
  }

  /** As {@link #serve(Class, AsyncEngine)} for a generic request type. */
  public <Req, Resp> ServedEndpoint serve(JavaType requestType, AsyncEngine<Context<Req>, ResponseStream<Resp>> engine) {
    DistributedRuntime rt = runtime();
    return serve(new Ingress<>(id().asPath(), engine, requestType, rt.responsePlanes(), rt.config().tcpMaxMessageSize()));
  }

  private ServedEndpoint serve(Ingress<?, ?> ingress) {
    ingress.statsHandler(statsHandler);
    ingress.direct(direct);
    DistributedRuntime rt = runtime();
    rt.ensureOpen();
    long instanceId = rt.instanceId();
    String ns = component.namespace().name();
    String key = RoutingKey.instancePath(instanceId, ns, component.name(), name);
    RequestServer server = rt.requestPlane().server();
    TransportType transport = server.register(key, ingress);
    DiscoveryInstance record;
    try {
      record =
          rt.discovery()
              .register(new DiscoverySpec.Endpoint(ns, component.name(), name, transport, null, rt.config().requestPlaneCodec()));
    } catch (RuntimeException e) {
      try {
        server.unregister(key, Duration.ZERO);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
      throw new DynamoException(ErrorType.Unavailable, "Unable to register service for discovery. Check discovery service status", e);
    }
    ServedEndpoint s = new ServedEndpoint(rt, ((DiscoveryInstance.Endpoint) record).instance(), record, key, server, ingress);
    rt.startCanary(name, ingress, healthCheckPayload);
    rt.track(s);
    return s;
  }

  /**
   * Serves an engine that takes a stream of requests ({@code many_in}): it receives a {@link
   * RequestStream} of the caller's items as they arrive and answers with a stream of its own.
   */
  public <Req, Resp> ServedEndpoint serveStreaming(Class<Req> requestType, AsyncEngine<Context<RequestStream<Req>>, ResponseStream<Resp>> engine) {
    DistributedRuntime rt = runtime();
    Ingress<Req, Resp> ingress =
        Ingress.forStreamingInput(id().asPath(), engine, Json.MAPPER.constructType(requestType), rt.responsePlanes(), rt.config().tcpMaxMessageSize());
    return serve(ingress);
  }

  /** A round-robin client for this endpoint whose responses decode as {@code responseType}. */
  public <Req, Resp> Client<Req, Resp> client(Class<Resp> responseType) {
    return client(Json.MAPPER.constructType(responseType), RouterMode.ROUND_ROBIN);
  }

  /** A client that picks instances by {@code mode}. */
  public <Req, Resp> Client<Req, Resp> client(Class<Resp> responseType, RouterMode mode) {
    return client(Json.MAPPER.constructType(responseType), mode);
  }

  /** As {@link #client(Class)} for a generic response type. */
  public <Req, Resp> Client<Req, Resp> client(JavaType responseType) {
    return client(responseType, RouterMode.ROUND_ROBIN);
  }

  /** As {@link #client(Class, RouterMode)} for a generic response type. */
  public <Req, Resp> Client<Req, Resp> client(JavaType responseType, RouterMode mode) {
    DistributedRuntime rt = runtime();
    rt.ensureOpen();
    Client<Req, Resp> c = new Client<>(rt, id(), responseType, mode);
    rt.track(c);
    return c;
  }

  @Override
  public String toString() {
    return id().toString();
  }
}
