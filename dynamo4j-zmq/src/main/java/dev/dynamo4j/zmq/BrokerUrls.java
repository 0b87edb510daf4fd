package dev.dynamo4j.zmq;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import java.util.ArrayList;
import java.util.List;

/**
 * The brokers of broker mode: XSUB endpoints publishers connect to, XPUB endpoints subscribers
 * connect to. {@link #parse} reads {@code DYN_ZMQ_BROKER_URL}: {@code xsub=<url>[;<url>...],
 * xpub=<url>[;<url>...]} (two parts split on {@code ,}, each prefixed, URLs split on {@code ;}
 * and trimmed, empties dropped, both lists non-empty).
 */
public record BrokerUrls(List<String> xsub, List<String> xpub) {
  public BrokerUrls {
    xsub = List.copyOf(xsub);
    xpub = List.copyOf(xpub);
  }

  /** @throws DynamoException {@code InvalidArgument} naming what is wrong */
  public static BrokerUrls parse(String value) {
    String[] parts = value.split(",");
    if (parts.length != 2) {
      throw bad(value, "expected exactly two parts, xsub=... and xpub=..., separated by ','");
    }
    List<String> xsub = null;
    List<String> xpub = null;
    for (String part : parts) {
      String p = part.trim();
      if (p.startsWith("xsub=")) {
        xsub = urls(p.substring(5));
      } else if (p.startsWith("xpub=")) {
        xpub = urls(p.substring(5));
      } else {
        throw bad(value, "each part must start with xsub= or xpub=");
      }
    }
    if (xsub == null || xpub == null || xsub.isEmpty() || xpub.isEmpty()) {
      throw bad(value, "needs at least one xsub and one xpub URL");
    }
    return new BrokerUrls(xsub, xpub);
  }

  private static List<String> urls(String s) {
    List<String> out = new ArrayList<>();
    for (String u : s.split(";")) {
      if (!u.isBlank()) {
        out.add(u.trim());
      }
    }
    return out;
  }

  private static DynamoException bad(String value, String why) {
    return new DynamoException(ErrorType.InvalidArgument, "Invalid DYN_ZMQ_BROKER_URL '" + value + "': " + why);
  }
}
