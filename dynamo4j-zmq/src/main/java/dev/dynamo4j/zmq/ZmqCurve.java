package dev.dynamo4j.zmq;

import dev.dynamo4j.zmq.ZmqEventOptions.CurveKeys;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZAuth;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * CURVE on the ZMQ event plane (ours, opt-in; Dynamo's event plane is not encrypted): every
 * process holds the deployment's key pair ({@code DYN_ZMQ_CURVE_PUBLIC_KEY}/{@code _SECRET_KEY}).
 * Sockets that bind (direct-mode publishers, the broker's XSUB and XPUB) are CURVE servers with
 * the secret key and a ZAP handler on their context that admits only clients presenting the
 * deployment's public key; sockets that connect (subscribers, broker-mode publishers) are CURVE
 * clients with the same pair. A peer without the secret cannot finish the handshake: it neither
 * reads nor publishes, and ZMQ retries its connection quietly (the handler logs each refusal
 * once per address).
 */
final class ZmqCurve {
  private static final Logger log = LoggerFactory.getLogger(ZmqCurve.class);
  static final String DOMAIN = "dynamo4j";

  private ZmqCurve() {}

  /** Starts {@code context}'s ZAP handler (before any CURVE server socket binds); {@code null} when CURVE is off. */
  static ZAuth authenticator(ZContext context, CurveKeys keys) {
    if (keys == null) {
      return null;
    }
    Set<String> refused = ConcurrentHashMap.newKeySet();
    ZAuth.Auth deploymentKeyOnly = new ZAuth.Auth() {
      @Override
      public boolean configure(ZMsg msg, boolean verbose) {
        return true;
      }

      @Override
      public boolean authorize(ZAuth.ZapRequest request, boolean verbose) {
        boolean ok = keys.publicKey().equals(request.clientKey);
        if (!ok && refused.add(request.address)) {
          log.warn("ZMQ CURVE: refused a client from {} that does not hold this deployment's key (DYN_ZMQ_CURVE_*)", request.address);
        }
        return ok;
      }
    };
    return new ZAuth(context, "dynamo4j-zap", Map.of("CURVE", deploymentKeyOnly));
  }

  /** Makes {@code socket} (before it binds) a CURVE server, if CURVE is on. */
  static void server(ZMQ.Socket socket, CurveKeys keys) {
    if (keys != null) {
      socket.setZAPDomain(DOMAIN);
      socket.setCurveServer(true);
      socket.setCurveSecretKey(ZMQ.Curve.z85Decode(keys.secretKey()));
    }
  }

  /** Makes {@code socket} (before it connects) a CURVE client of the deployment's servers, if CURVE is on. */
  static void client(ZMQ.Socket socket, CurveKeys keys) {
    if (keys != null) {
      socket.setCurveServerKey(ZMQ.Curve.z85Decode(keys.publicKey()));
      socket.setCurvePublicKey(ZMQ.Curve.z85Decode(keys.publicKey()));
      socket.setCurveSecretKey(ZMQ.Curve.z85Decode(keys.secretKey()));
    }
  }
}
