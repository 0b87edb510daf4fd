package dev.dynamo4j.cli;

import java.util.concurrent.Callable;
import org.zeromq.ZMQ;
import picocli.CommandLine.Command;

/** Prints a new CURVE key pair for the ZMQ event plane, as the two variables every process of a deployment sets. */
@Command(
    name = "zmq-keygen",
    mixinStandardHelpOptions = true,
    description = {
      "Make a CURVE key pair for the ZMQ event plane (ours; Dynamo's ZMQ event plane is not encrypted).",
      "Give every process of the deployment (publishers, subscribers, zmq-broker) the same two variables:",
      "events are then encrypted, and only processes holding the secret key can publish or subscribe.",
      "Keep the secret key as you keep other credentials (for example a Kubernetes Secret).",
      "",
      "Example:  dynamo4j zmq-keygen > zmq-curve.env && chmod 600 zmq-curve.env"
    })
final class ZmqKeygenCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    ZMQ.Curve.KeyPair pair = ZMQ.Curve.generateKeyPair();
    System.out.println("DYN_ZMQ_CURVE_PUBLIC_KEY=" + pair.publicKey);
    System.out.println("DYN_ZMQ_CURVE_SECRET_KEY=" + pair.secretKey);
    return 0;
  }
}
