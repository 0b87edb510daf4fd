package dev.dynamo4j.engine;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.dynamo4j.error.DynamoError;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.wire.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

/**
 * A response item that may carry, besides its data, an id, an event name, comments or an error
 * (Dynamo's {@code Annotated<T>}). JSON keys {@code data, id, event, comment, error}, each
 * omitted when absent.
 *
 * <p>Errors are items, not exceptions: a stream of {@code Annotated} values can report a failure
 * for one item and go on. {@link #fromError} fills both {@code error} (read by newer Dynamo) and
 * {@code comment} (read by older Dynamo), with event {@code "error"}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonAutoDetect(
    getterVisibility = JsonAutoDetect.Visibility.NONE,
    isGetterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonPropertyOrder({"data", "id", "event", "comment", "error"})
public record Annotated<T>(
    @JsonProperty("data") T data,
    @JsonProperty("id") String id,
    @JsonProperty("event") String event,
    @JsonProperty("comment") List<String> comment,
    @JsonProperty("error") DynamoError error) {

  public static final String ERROR_EVENT = "error";

  public Annotated {
    comment = comment == null ? null : List.copyOf(comment);
  }

  public static <T> Annotated<T> fromData(T data) {
    return new Annotated<>(data, null, null, null, null);
  }

  /** An error item with the message in {@code comment} and a typed {@code error}. */
  public static <T> Annotated<T> fromError(String message) {
    return fromError(DynamoError.of(ErrorType.Unknown, message));
  }

  public static <T> Annotated<T> fromError(DynamoError error) {
    String msg = error.diagnostic() != null ? error.diagnostic() : error.effectiveReason();
    return new Annotated<>(null, null, ERROR_EVENT, List.of(msg), error);
  }

  /** An annotation: event = {@code name}, comment = the JSON text of {@code value}. */
  public static <T> Annotated<T> fromAnnotation(String name, Object value) {
    String json = new String(Json.toBytes(value), StandardCharsets.UTF_8);
    return new Annotated<>(null, null, name, List.of(json), null);
  }

  public boolean isError() {
    return ERROR_EVENT.equals(event) || error != null;
  }

  public boolean isOk() {
    return !isError();
  }

  /**
   * This item, or an exception for an error item: the typed error if there is one, else the
   * joined comments, else {@code "unknown error"}.
   */
  public Annotated<T> ok() {
    if (isOk()) {
      return this;
    }
    if (error != null) {
      throw error.toException();
    }
    String msg = comment == null || comment.isEmpty() ? "unknown error" : String.join(", ", comment);
    throw new DynamoException(ErrorType.Unknown, msg);
  }

  /** The data, or an exception as in {@link #ok()}. */
  public T intoResult() {
    return ok().data;
  }

  /** Maps the data; an exception from {@code f} becomes an error item. */
  public <U> Annotated<U> mapData(Function<? super T, ? extends U> f) {
    try {
      return new Annotated<>(data == null ? null : f.apply(data), id, event, comment, error);
    } catch (RuntimeException e) {
      return fromError(DynamoException.wrap(e).toDynamoError());
    }
  }

  /** The same annotations around new data. */
  public <U> Annotated<U> transfer(U newData) {
    return new Annotated<>(newData, id, event, comment, error);
  }

  public Annotated<T> withId(String newId) {
    return new Annotated<>(data, newId, event, comment, error);
  }
}
