package dev.dynamo4j.pipeline;

import dev.dynamo4j.engine.AsyncEngine;

/**
 * A stage that sees both directions of one request: it may transform the request, call the next
 * engine, then transform the response, carrying request information into it.
 */
@FunctionalInterface
public interface Operator<UpIn, UpOut, DownIn, DownOut> {
  UpOut generate(UpIn request, AsyncEngine<DownIn, DownOut> next) throws Exception;
}
