package dev.dynamo4j.internal.tls;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A JDK {@link SSLContext} for the client side of a connection to a server dynamo4j does not run
 * (NATS), from PEM files: the CAs to trust (or none: the JDK's default trust store), insecure
 * mode (no verification at all, for development), and an optional client certificate and key.
 *
 * <p>Failure: {@code InvalidArgument} naming the file that cannot be read or used; never the key.
 */
public final class ClientTls {
  private ClientTls() {}

  /**
   * @param ca PEM CA certificates to trust, or {@code null} for the JDK's default trust store
   * @param insecure trust any server certificate (development only)
   * @param cert PEM client certificate chain, or {@code null}
   * @param key PEM private key of {@code cert}, or {@code null}
   * @param what the variables these came from, for error messages (e.g. {@code NATS_TLS_*})
   */
  public static SSLContext context(Path ca, boolean insecure, Path cert, Path key, String what) {
    try {
      TrustManager[] trust;
      if (insecure) {
        trust = new TrustManager[] {new TrustingEveryone()};
      } else if (ca != null) {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        int i = 0;
        for (X509Certificate c : Pem.certificates(ca, "CA certificate (" + what + ")")) {
          ts.setCertificateEntry("ca-" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        trust = tmf.getTrustManagers();
      } else {
        trust = null; // the JDK's default trust store
      }
      KeyManager[] keys = null;
      if (cert != null) {
        List<X509Certificate> chain = Pem.certificates(cert, "client certificate (" + what + ")");
        PrivateKey pk = Pem.privateKey(key, "client key (" + what + ")");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] none = new char[0];
        ks.setKeyEntry("client", pk, none, chain.toArray(X509Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, none);
        keys = kmf.getKeyManagers();
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(keys, trust, null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new DynamoException(ErrorType.InvalidArgument, "cannot set up TLS from " + what + ": " + e.getMessage(), e);
    }
  }

  /** Insecure mode's trust manager: accepts every certificate and every name. */
  private static final class TrustingEveryone extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
