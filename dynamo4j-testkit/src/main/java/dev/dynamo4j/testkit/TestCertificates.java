package dev.dynamo4j.testkit;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority with a server certificate for {@code 127.0.0.1} / {@code
 * localhost} and a client certificate, as PEM files in a directory (keys in PKCS#8, EC P-256),
 * valid for a day. For TLS tests against real servers; never for anything else.
 */
public final class TestCertificates {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  /** PEM text and the file holding it. */
  public record Pem(String text, Path file) {}

  private final Pem ca;
  private final Path dir;
  private final KeyPair caKeys;
  private final X500Name caName;
  private final Pem serverCert;
  private final Pem serverKey;
  private final Pem clientCert;
  private final Pem clientKey;

  private TestCertificates(Path dir) throws IOException, GeneralSecurityException, OperatorCreationException {
    this.dir = dir;
    this.caKeys = keys();
    this.caName = new X500Name("CN=dynamo4j test CA");
    JcaX509v3CertificateBuilder cab = builder(caName, caName, caKeys);
    cab.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    cab.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    X509CertificateHolder caCert = cab.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate()));
    ca = write(dir.resolve("ca.pem"), pem(caCert));

    KeyPair serverKeys = keys();
    JcaX509v3CertificateBuilder sb = builder(caName, new X500Name("CN=127.0.0.1"), serverKeys);
    sb.addExtension(Extension.subjectAlternativeName, false,
        new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
    sb.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    serverCert = write(dir.resolve("server.pem"), pem(sb.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate()))));
    serverKey = write(dir.resolve("server-key.pem"), pkcs8(serverKeys.getPrivate()));

    KeyPair clientKeys = keys();
    JcaX509v3CertificateBuilder cb = builder(caName, new X500Name("CN=dynamo4j-client"), clientKeys);
    cb.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
    clientCert = write(dir.resolve("client.pem"), pem(cb.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate()))));
    clientKey = write(dir.resolve("client-key.pem"), pkcs8(clientKeys.getPrivate()));
  }

  /** Makes the CA and both certificates and writes them under {@code dir}. */
  public static TestCertificates create(Path dir) throws IOException {
    try {
      Files.createDirectories(dir);
      return new TestCertificates(dir);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IOException("cannot make test certificates: " + e.getMessage(), e);
    }
  }

  private static KeyPair keys() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofMinutes(5))),
        Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic());
  }

  private static String pem(Object o) throws IOException {
    StringWriter sw = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      w.writeObject(o);
    }
    return sw.toString();
  }

  private static String pkcs8(PrivateKey key) throws IOException {
    return pem(new JcaPKCS8Generator(key, null).generate());
  }

  private static Pem write(Path file, String text) throws IOException {
    Files.writeString(file, text);
    return new Pem(text, file);
  }

  /** A certificate and its key. */
  public record Identity(Pem cert, Pem key) {}

  /**
   * Another server certificate signed by this CA, written as {@code <name>.pem} / {@code
   * <name>-key.pem}: for {@code hosts} (IP addresses or DNS names, as subject alternative names),
   * valid from {@code notBefore} to {@code notAfter} (an expired one: both in the past).
   */
  public Identity issue(String name, List<String> hosts, Instant notBefore, Instant notAfter) throws IOException {
    try {
      KeyPair k = keys();
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caName, BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore),
          Date.from(notAfter), new X500Name("CN=" + (hosts.isEmpty() ? name : hosts.get(0))), k.getPublic());
      GeneralName[] names = hosts.stream()
          .map(h -> new GeneralName(h.matches("[0-9.]+|.*:.*") ? GeneralName.iPAddress : GeneralName.dNSName, h))
          .toArray(GeneralName[]::new);
      if (names.length > 0) {
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      }
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      Pem cert = write(dir.resolve(name + ".pem"), pem(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate()))));
      return new Identity(cert, write(dir.resolve(name + "-key.pem"), pkcs8(k.getPrivate())));
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IOException("cannot issue test certificate " + name + ": " + e.getMessage(), e);
    }
  }

  public Pem ca() {
    return ca;
  }

  public Pem serverCert() {
    return serverCert;
  }

  public Pem serverKey() {
    return serverKey;
  }

  public Pem clientCert() {
    return clientCert;
  }

  public Pem clientKey() {
    return clientKey;
  }
}
