package dev.dynamo4j.wire;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.dynamo4j.error.DynamoError;
import java.io.IOException;

/** Teaches Jackson the wire form of {@link DynamoError}, so it nests inside user payloads. */
final class DynamoJacksonModule extends SimpleModule {
  private static final long serialVersionUID = 1L;

  public DynamoJacksonModule() {
    super("dynamo4j");
    addSerializer(
        DynamoError.class,
        new JsonSerializer<>() {
          @Override
          public void serialize(DynamoError value, JsonGenerator gen, SerializerProvider p)
              throws IOException {
            DynamoErrorJson.write(gen, value);
          }
        });
    addDeserializer(
        DynamoError.class,
        new JsonDeserializer<>() {
          @Override
          public DynamoError deserialize(JsonParser p, DeserializationContext ctxt)
              throws IOException {
            JsonNode node = p.readValueAsTree();
            return DynamoErrorJson.read(node);
          }
        });
  }
}
