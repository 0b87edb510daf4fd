package dev.dynamo4j.tcp;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/**
 * Which address to bind and advertise. Unset means {@code 127.0.0.1}: dynamo4j never advertises an
 * address on a network the operator did not choose (Dynamo picks the first routable IP). Set {@code
 * DYN_TCP_RPC_HOST} / {@code DYN_TCP_RESPONSE_STREAM_HOST} to an IP, a host name, an interface
 * name, or {@code auto} (the first non-loopback IPv4 of an interface that is up; binds all
 * interfaces).
 */
final class Hosts {
  private Hosts() {}

  record Choice(String bindHost, String advertiseHost) {}

  static Choice choose(String configured, String envName) {
    if (configured == null || configured.isBlank()) {
      return new Choice("127.0.0.1", "127.0.0.1");
    }
    String c = configured.trim();
    if (c.equals("auto")) {
      return new Choice("0.0.0.0", detect(envName));
    }
    try {
      NetworkInterface nif = NetworkInterface.getByName(c);
      if (nif != null) {
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          if (a instanceof Inet4Address) {
            return new Choice(a.getHostAddress(), a.getHostAddress());
          }
        }
      }
    } catch (SocketException e) {
      // not an interface name; treat as an address
    }
    String unbracketed = c.startsWith("[") && c.endsWith("]") ? c.substring(1, c.length() - 1) : c;
    return new Choice(unbracketed, unbracketed);
  }

  private static String detect(String envName) {
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nif.isUp() || nif.isLoopback()) {
          continue;
        }
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          if (a instanceof Inet4Address) {
            return a.getHostAddress();
          }
        }
      }
    } catch (SocketException e) {
      throw new DynamoException(ErrorType.Unavailable, "cannot list network interfaces for " + envName + "=auto: " + e.getMessage(), e);
    }
    throw new DynamoException(ErrorType.Unavailable, envName + "=auto found no non-loopback IPv4 address; set it explicitly");
  }

  /** {@code host:port}, IPv6 in brackets. */
  static String hostPort(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /**
   * Parses {@code host:port} (IPv6 in brackets).
   *
   * @throws DynamoException {@code InvalidArgument} when malformed
   */
  static InetSocketAddress parse(String hostPort) {
    try {
      String host;
      String port;
      if (hostPort.startsWith("[")) {
        int end = hostPort.indexOf(']');
        host = hostPort.substring(1, end);
        port = hostPort.substring(end + 2);
      } else {
        int colon = hostPort.lastIndexOf(':');
        host = hostPort.substring(0, colon);
        port = hostPort.substring(colon + 1);
      }
      return InetSocketAddress.createUnresolved(host, Integer.parseInt(port));
    } catch (RuntimeException e) {
      throw new DynamoException(ErrorType.InvalidArgument, "'" + hostPort + "' is not host:port");
    }
  }

  static boolean isIpv6(InetAddress a) {
    return a instanceof Inet6Address;
  }
}
