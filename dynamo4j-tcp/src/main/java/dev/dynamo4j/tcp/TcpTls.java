package dev.dynamo4j.tcp;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.internal.tls.Pem;
import dev.dynamo4j.spi.config.TcpTlsSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS of the TCP planes, built from {@link TcpTlsSettings}: the server side (request server and
 * response-stream listener) and the client side (request connections, call-home and mux
 * connections). Certificates and keys are read when the plane is made, so a missing, unreadable
 * or mismatched file fails start-up with an {@code InvalidArgument} that names the file.
 *
 * <p>Threads: {@link Server#handler} and {@link Client#handler} run on event loops and never
 * block; they look at the certificate files again at most every {@code DYN_TCP_TLS_RELOAD_SECS}
 * (default 30), on a virtual thread, and use a changed certificate for later handshakes (a file
 * that no longer loads is logged and the last good one kept). The CAs are read once.
 *
 * <p>Provider: BoringSSL (netty-tcnative) when it loads and {@code DYN_TCP_TLS_PROVIDER} is {@code
 * auto} or {@code openssl}, else the JDK. TLS 1.3 and 1.2, as rustls's safe defaults.
 */
final class TcpTls {
  private static final Logger log = LoggerFactory.getLogger(TcpTls.class);
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
  /** A fatal {@code unexpected_message} alert (TLS 1.2 record): what a plain-text peer gets. */
  static final byte[] UNEXPECTED_MESSAGE_ALERT = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x0a};

  private final TcpTlsSettings settings;
  private final SslProvider provider;
  private final Server server;
  private final Client client;

  private TcpTls(TcpTlsSettings settings) {
    this.settings = settings;
    this.provider = provider(settings.provider());
    this.server = settings.serverEnabled() ? new Server() : null;
    this.client = settings.clientEnabled() ? new Client() : null;
    if (server != null || client != null) {
      log.info("TCP TLS: {}{}{} (provider {})", server == null ? "" : "accepting TLS" + (settings.mutual() ? " with client certificates required" : ""),
          server != null && client != null ? ", " : "", client == null ? "" : "dialling TLS" + (settings.insecure() ? " without verifying servers (DYN_TCP_TLS_INSECURE)" : ""),
          provider == SslProvider.OPENSSL ? "BoringSSL" : "JDK");
    }
  }

  /** Loads everything {@code settings} names; {@code null} when TLS is off on both sides. */
  static TcpTls create(TcpTlsSettings settings) {
    return settings.serverEnabled() || settings.clientEnabled() ? new TcpTls(settings) : null;
  }

  /** The server side, or null when accepted connections are plain. */
  static Server server(TcpTls tls) {
    return tls == null ? null : tls.server;
  }

  /** The client side, or null when opened connections are plain. */
  static Client client(TcpTls tls) {
    return tls == null ? null : tls.client;
  }

  private static SslProvider provider(String name) {
    boolean openssl = OpenSsl.isAvailable();
    return switch (name) {
      case "jdk" -> SslProvider.JDK;
      case "openssl" -> {
        if (!openssl) {
          throw new DynamoException(ErrorType.InvalidArgument, "DYN_TCP_TLS_PROVIDER=openssl, but netty-tcnative (BoringSSL) does not load here: "
              + OpenSsl.unavailabilityCause());
        }
        yield SslProvider.OPENSSL;
      }
      default -> openssl ? SslProvider.OPENSSL : SslProvider.JDK;
    };
  }

  /** Which TLS implementation handshakes run on: {@code openssl} (BoringSSL) or {@code jdk}. */
  String providerName() {
    return provider == SslProvider.OPENSSL ? "openssl" : "jdk";
  }

  /** A certificate chain and its key, read from two files, with a fingerprint of their bytes. */
  private record Identity(List<X509Certificate> chain, PrivateKey key, byte[] fingerprint) {
    static Identity load(Path certFile, Path keyFile, String role) {
      List<X509Certificate> chain = Pem.certificates(certFile, role + " certificate");
      PrivateKey key = Pem.privateKey(keyFile, role + " key");
      if (!matches(chain.get(0), key)) {
        throw new DynamoException(ErrorType.InvalidArgument, "the " + role + " certificate " + certFile + " and key " + keyFile + " do not match");
      }
      return new Identity(chain, key, fingerprint(certFile, keyFile));
    }

    private static boolean matches(X509Certificate cert, PrivateKey key) {
      String alg = switch (key.getAlgorithm()) {
        case "RSA" -> "SHA256withRSA";
        case "EC" -> "SHA256withECDSA";
        case "Ed25519", "EdDSA" -> "Ed25519";
        case "Ed448" -> "Ed448";
        default -> null;
      };
      if (alg == null) {
        return true; // cannot check here; the handshake will
      }
      try {
        byte[] probe = "dynamo4j key check".getBytes(StandardCharsets.US_ASCII);
        Signature s = Signature.getInstance(alg);
        s.initSign(key);
        s.update(probe);
        byte[] sig = s.sign();
        Signature v = Signature.getInstance(alg);
        v.initVerify(cert.getPublicKey());
        v.update(probe);
        return v.verify(sig);
      } catch (GeneralSecurityException e) {
        return false;
      }
    }

    static byte[] fingerprint(Path certFile, Path keyFile) {
      try {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        d.update(Files.readAllBytes(certFile));
        d.update((byte) 0);
        d.update(Files.readAllBytes(keyFile));
        return d.digest();
      } catch (IOException | NoSuchAlgorithmException e) {
        return new byte[0];
      }
    }
  }

  /**
   * An {@link SslContext} rebuilt when the identity files change: looked at again at most every
   * reload interval, on a virtual thread, never on the handshake path.
   */
  private final class Reloading {
    private final Path certFile;
    private final Path keyFile;
    private final String role;
    private final Function<Identity, SslContext> build;
    private final AtomicReference<SslContext> current = new AtomicReference<>();
    private final AtomicLong lastCheck = new AtomicLong(System.nanoTime());
    private final AtomicBoolean checking = new AtomicBoolean();
    private volatile byte[] fingerprint;
    private volatile String lastFailure;

    Reloading(Path certFile, Path keyFile, String role, Function<Identity, SslContext> build) {
      this.certFile = certFile;
      this.keyFile = keyFile;
      this.role = role;
      this.build = build;
      Identity id = certFile == null ? null : Identity.load(certFile, keyFile, role);
      fingerprint = id == null ? null : id.fingerprint();
      current.set(build.apply(id));
    }

    SslContext get() {
      if (certFile != null) {
        long now = System.nanoTime();
        long last = lastCheck.get();
        if (now - last >= settings.reloadInterval().toNanos() && lastCheck.compareAndSet(last, now) && checking.compareAndSet(false, true)) {
          Thread.ofVirtual().name("tls-reload").start(this::refresh);
        }
      }
      return current.get();
    }

    private void refresh() {
      try {
        if (Arrays.equals(Identity.fingerprint(certFile, keyFile), fingerprint)) {
          return;
        }
        Identity id = Identity.load(certFile, keyFile, role);
        current.set(build.apply(id));
        fingerprint = id.fingerprint();
        lastFailure = null;
        log.info("TCP TLS: loaded the changed {} certificate {} ({} certificate(s)); later handshakes use it", role, certFile, id.chain().size());
      } catch (RuntimeException e) {
        String why = e.getMessage();
        if (!why.equals(lastFailure)) {
          log.warn("TCP TLS: the changed {} certificate does not load, keeping the last good one: {}", role, why);
          lastFailure = why;
        }
      } finally {
        checking.set(false);
      }
    }
  }

  private static SslContext built(SslContextBuilder b, String what) {
    try {
      return b.build();
    } catch (SSLException | RuntimeException e) {
      throw new DynamoException(ErrorType.InvalidArgument, "cannot set up TLS for " + what + ": " + e.getMessage(), e);
    }
  }

  /** The server side: every accepted connection starts with a TLS handshake. */
  final class Server {
    private final Reloading context;
    private final List<X509Certificate> clientCas;
    final AtomicLong handshakeFailures = new AtomicLong();

    private Server() {
      clientCas = settings.mutual() ? Pem.certificates(settings.clientCaCertPath(), "client CA certificate (DYN_TCP_TLS_CLIENT_CA_CERT_PATH)") : null;
      context = new Reloading(settings.certPath(), settings.keyPath(), "server", id -> {
        SslContextBuilder b = SslContextBuilder.forServer(id.key(), id.chain()).sslProvider(provider).protocols(PROTOCOLS);
        if (clientCas != null) {
          b.trustManager(clientCas).clientAuth(ClientAuth.REQUIRE);
        }
        return built(b, "the TCP server (DYN_TCP_TLS_CERT_PATH / DYN_TCP_TLS_KEY_PATH)");
      });
    }

    /**
     * The handlers that go first in an accepted connection's pipeline: a check that the peer
     * speaks TLS at all (a plain-text peer gets a TLS alert and is closed with a log line that
     * says so), the {@link SslHandler} with the handshake timeout, and a handler that logs a
     * failed handshake with its cause.
     */
    void addTo(ChannelPipeline p, String what) {
      SslHandler ssl = context.get().newHandler(p.channel().alloc());
      ssl.setHandshakeTimeout(settings.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
      p.addLast("tls-sniff", new PlainTextRefusal(what, this));
      p.addLast("tls", ssl);
      p.addLast("tls-events", new HandshakeLog(what, this));
    }
  }

  /** The client side: every opened connection starts with a TLS handshake. */
  final class Client {
    private final Reloading context;

    /**
     * What to add when a TLS connection closes with no error right after its handshake: under TLS
     * 1.3 a server that refuses the client certificate may close before the client reads its
     * alert (the close can even reset the connection), so the client only sees the close.
     */
    String closedHint() {
      return settings.clientCertPath() != null
          ? " (right after the TLS handshake: the server may have refused our client certificate, DYN_TCP_TLS_CLIENT_CERT_PATH; its log says why)"
          : "";
    }

    private Client() {
      List<X509Certificate> cas = settings.caCertPath() == null ? null : Pem.certificates(settings.caCertPath(), "CA certificate (DYN_TCP_TLS_CA_CERT_PATH)");
      context = new Reloading(settings.clientCertPath(), settings.clientKeyPath(), "client", id -> {
        SslContextBuilder b = SslContextBuilder.forClient().sslProvider(provider).protocols(PROTOCOLS);
        if (settings.insecure()) {
          b.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
        } else {
          b.trustManager(cas).endpointIdentificationAlgorithm("HTTPS");
        }
        if (id != null) {
          b.keyManager(id.key(), id.chain());
        }
        return built(b, "TCP connections (DYN_TCP_TLS_CA_CERT_PATH / DYN_TCP_TLS_CLIENT_CERT_PATH)");
      });
    }

    /** A handler for a connection to {@code host:port}, verifying {@code DYN_TCP_TLS_SERVER_NAME} or else {@code host}. */
    SslHandler handler(ByteBufAllocator alloc, String host, int port) {
      String name = settings.serverName() != null ? settings.serverName() : host;
      SslHandler ssl = context.get().newHandler(alloc, name, port);
      ssl.setHandshakeTimeout(settings.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
      return ssl;
    }

    /** How long {@link Transports#connect} waits for the handshake after the TCP connect. */
    Duration handshakeTimeout() {
      return settings.handshakeTimeout();
    }

    String serverNameFor(String host) {
      return settings.serverName() != null ? settings.serverName() : host;
    }
  }

  /**
   * First in a TLS server's pipeline: looks at the first bytes of the connection and, when they
   * are not a TLS record, answers with a TLS alert (so a plain-text client of ours can say "the
   * server speaks TLS") and closes, logging why. Removes itself once the first record header is
   * seen.
   */
  private static final class PlainTextRefusal extends ByteToMessageDecoder {
    private final String what;
    private final Server server;

    PlainTextRefusal(String what, Server server) {
      this.what = what;
      this.server = server;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      if (in.readableBytes() < 5) {
        return;
      }
      if (SslHandler.isEncrypted(in, false)) {
        ctx.pipeline().remove(this);
        return;
      }
      server.handshakeFailures.incrementAndGet();
      HandshakeLog handshakeLog = ctx.pipeline().get(HandshakeLog.class);
      if (handshakeLog != null) {
        handshakeLog.reported = true; // the handshake fails as the connection closes: said here already
      }
      log.warn("closing {} from {}: it does not speak TLS (its first bytes are not a TLS record) and this server requires TLS "
          + "(DYN_TCP_TLS_CERT_PATH); give the client DYN_TCP_TLS_CA_CERT_PATH or DYN_TCP_TLS_INSECURE", what, ctx.channel().remoteAddress());
      in.skipBytes(in.readableBytes());
      ctx.writeAndFlush(Unpooled.wrappedBuffer(UNEXPECTED_MESSAGE_ALERT)).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** Logs a failed server-side handshake with its cause; Netty closes the connection. */
  private static final class HandshakeLog extends ChannelInboundHandlerAdapter {
    private final String what;
    private final Server server;
    /** Set once the failure was logged (here, or by {@link PlainTextRefusal}). */
    boolean reported;

    HandshakeLog(String what, Server server) {
      this.what = what;
      this.server = server;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof SslHandshakeCompletionEvent e) {
        ctx.fireUserEventTriggered(evt);
        if (e.isSuccess()) {
          ctx.pipeline().remove(this);
        } else if (!reported) { // stays, to keep the handshake's exception from the handlers behind it
          reported = true;
          server.handshakeFailures.incrementAndGet();
          log.warn("TLS handshake of {} from {} failed: {}", what, ctx.channel().remoteAddress(), describe(e.cause(), false));
        }
        return;
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (isTls(cause)) {
        ctx.close(); // reported by the handshake event
        return;
      }
      ctx.fireExceptionCaught(cause);
    }
  }

  /** Whether {@code t} comes from TLS (and so is described by {@link #describe}). */
  static boolean isTls(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SSLException || c instanceof NotSslRecordException || c instanceof PeerSpeaksTls) {
        return true;
      }
    }
    return false;
  }

  /** What a plain-text decoder throws when its peer answers with TLS records. */
  static final class PeerSpeaksTls extends DecoderException {
    PeerSpeaksTls(String message) {
      super(message);
    }
  }

  /**
   * The cause of a failed TLS handshake in words an operator can act on; {@code client} tells
   * which side is asking. Never includes key material (exception texts of the TLS stacks do not).
   */
  static String describe(Throwable t, boolean client) {
    Throwable root = t;
    StringBuilder chain = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      root = c;
      if (c instanceof PeerSpeaksTls p) {
        return p.getMessage();
      }
      if (c instanceof CertificateExpiredException) {
        return (client ? "the server's" : "the client's") + " certificate has expired (" + c.getMessage() + ")";
      }
      if (c instanceof CertificateNotYetValidException) {
        return (client ? "the server's" : "the client's") + " certificate is not valid yet (" + c.getMessage() + ")";
      }
      if (c instanceof SslHandshakeTimeoutException) {
        return "the TLS handshake did not finish within the handshake timeout (DYN_TCP_TLS_HANDSHAKE_TIMEOUT_SECS)";
      }
      if (c instanceof NotSslRecordException) {
        return client ? "the server answered in plain text: it does not serve TLS (set DYN_TCP_TLS_CERT_PATH and DYN_TCP_TLS_KEY_PATH there, or unset this side's DYN_TCP_TLS_* client settings)"
            : "the client does not speak TLS";
      }
      if (c.getMessage() != null && chain.indexOf(c.getMessage()) < 0) {
        chain.append(chain.isEmpty() ? "" : ": ").append(c.getMessage());
      }
    }
    String text = chain.toString();
    String lower = text.toLowerCase(Locale.ROOT);
    // An alert the peer sent says what the peer did not like; the rest was found on this side.
    boolean received = lower.contains("received fatal alert") || lower.matches("(?s).*(sslv3|tlsv1)_alert_.*");
    String hint;
    if (received) {
      if (lower.contains("certificate_required") || lower.contains("certificate required")) {
        hint = client ? "the server requires a client certificate and this side presented none (set DYN_TCP_TLS_CLIENT_CERT_PATH and DYN_TCP_TLS_CLIENT_KEY_PATH)"
            : "the client says a certificate is required";
      } else if (lower.contains("expired")) {
        hint = client ? "the server says this side's client certificate has expired" : "the client says this server's certificate has expired";
      } else if (lower.contains("bad_certificate") || lower.contains("certificate_unknown") || lower.contains("unknown_ca")
          || lower.contains("unsupported_certificate") || lower.contains("access_denied") || lower.contains("internal_error")) {
        hint = client ? "the server refused the handshake, most likely this side's client certificate (none, or not signed by the CA in the server's "
            + "DYN_TCP_TLS_CLIENT_CA_CERT_PATH; see the server's log)"
            : "the client refused this server's certificate (not signed by a CA it trusts, or not for the name it checks; see the client's log)";
      } else {
        hint = (client ? "the server" : "the client") + " ended the handshake with an alert";
      }
    } else if (lower.contains("pkix path") || lower.contains("unable to find valid certification path") || lower.contains("certificate_verify_failed")) {
      hint = client ? "the server's certificate is not signed by a CA this side trusts (DYN_TCP_TLS_CA_CERT_PATH)"
          : "the client's certificate is not signed by the CA in DYN_TCP_TLS_CLIENT_CA_CERT_PATH";
    } else if (lower.contains("no subject alternative") || lower.contains("hostname") || lower.contains("doesn't match") || lower.contains("subject alternative name")) {
      hint = "the server's certificate is not for the name this side checks (set DYN_TCP_TLS_SERVER_NAME to a name in its certificate)";
    } else if (lower.contains("expired") || lower.contains("notafter")) {
      hint = client ? "the server's certificate has expired" : "the client's certificate has expired";
    } else if (lower.contains("empty client certificate chain") || lower.contains("peer_did_not_return_a_certificate") || lower.contains("certificate_required")) {
      hint = "the client presented no certificate, and this server requires one (DYN_TCP_TLS_CLIENT_CA_CERT_PATH)";
    } else if (root instanceof ClosedChannelException || lower.contains("connection closed") || lower.contains("closed while")) {
      hint = client ? "the server closed the connection during the TLS handshake: it may not serve TLS, or it refused this client (see its log)"
          : "the client closed the connection during the handshake (it may not trust this server's certificate; see its log)";
    } else if (lower.contains("unsupported or unrecognized ssl message") || lower.contains("not an ssl/tls record")) {
      hint = client ? "the server answered in plain text: it does not serve TLS" : "the client does not speak TLS";
    } else {
      hint = null;
    }
    if (text.isEmpty()) {
      text = root.getClass().getSimpleName();
    }
    return hint == null ? "TLS error: " + text : hint + " [" + text + "]";
  }

  /** Whether the first bytes of a connection are a TLS alert or handshake record (what a TLS peer sends). */
  static boolean looksLikeTls(ByteBuf in) {
    if (in.readableBytes() < 3) {
      return false;
    }
    int i = in.readerIndex();
    int type = in.getUnsignedByte(i);
    return (type == 0x15 || type == 0x16) && in.getUnsignedByte(i + 1) == 0x03 && in.getUnsignedByte(i + 2) <= 0x04;
  }
}
