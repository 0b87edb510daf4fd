package dev.dynamo4j.nats;

import dev.dynamo4j.spi.config.ResponseStreamOptions;

/**
 * Requests on NATS, responses on Dynamo's per-stream call-home ({@code DYN_TCP_RESPONSE_MUX=false}):
 * the NATS plane's suite again, on its other response path.
 */
class NatsLegacyResponsesTransportTest extends NatsRequestTransportTest {
  @Override
  protected ResponseStreamOptions responseStreams() {
    return ResponseStreamOptions.DEFAULTS.withMux(false);
  }
}
