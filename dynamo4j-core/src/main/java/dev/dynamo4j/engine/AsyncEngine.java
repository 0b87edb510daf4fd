package dev.dynamo4j.engine;

/**
 * Turns a request into a response; the unit that endpoints serve and pipelines compose.
 *
 * <p>A served engine receives a {@link Context} (the request plus its {@link Controller}) and
 * returns a {@link ResponseStream}. {@code generate} is called on a virtual thread and may block
 * (for example to load a model); it should return as soon as the stream exists and produce the
 * items asynchronously, for instance with {@link ResponseStream#generate}. An exception thrown
 * from {@code generate} is reported to the caller before any item (as an error prologue on the
 * network); a {@link dev.dynamo4j.error.DynamoException} keeps its type.
 *
 * @param <Req> the request type (for served engines, {@code Context<T>})
 * @param <Resp> the response type (for served engines, {@code ResponseStream<U>})
 */
@FunctionalInterface
public interface AsyncEngine<Req, Resp> {
  Resp generate(Req request) throws Exception;
}
