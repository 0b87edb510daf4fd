package dev.dynamo4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.internal.tls.Pem;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every key form rustls reads: PKCS#8, PKCS#1 (RSA) and SEC1 (EC), the latter two written by BouncyCastle's OpenSSL writer. */
class PemTest {
  @TempDir Path dir;

  static String traditional(PrivateKey key) throws Exception {
    StringWriter sw = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      w.writeObject(key); // "RSA PRIVATE KEY" / "EC PRIVATE KEY"
    }
    return sw.toString();
  }

  @Test
  void rsaInPkcs1AndEcInSec1ReadAsTheSameKeys() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    KeyPair r = rsa.generateKeyPair();
    String rsaPem = traditional(r.getPrivate());
    assertThat(rsaPem).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    Path rf = Files.writeString(dir.resolve("rsa.pem"), "some text before\n" + rsaPem);
    assertThat(Pem.privateKey(rf, "key").getEncoded()).isEqualTo(r.getPrivate().getEncoded());

    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair e = ec.generateKeyPair();
    String ecPem = traditional(e.getPrivate());
    assertThat(ecPem).startsWith("-----BEGIN EC PRIVATE KEY-----");
    Path ef = Files.writeString(dir.resolve("ec.pem"), "-----BEGIN EC PARAMETERS-----\nBgUrgQQAIg==\n-----END EC PARAMETERS-----\n" + ecPem);
    PrivateKey read = Pem.privateKey(ef, "key");
    assertThat(read.getAlgorithm()).isEqualTo("EC");
    assertThat(((ECPrivateKey) read).getS()).isEqualTo(((ECPrivateKey) e.getPrivate()).getS());

    KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    Path pk8 = Files.writeString(dir.resolve("ed.pem"), "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(ed.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
    assertThat(Pem.privateKey(pk8, "key").getAlgorithm()).isIn("Ed25519", "EdDSA");
  }

  @Test
  void encryptedMissingAndGarbledKeysAreNamed() throws Exception {
    Path enc = Files.writeString(dir.resolve("enc.pem"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
    assertThatThrownBy(() -> Pem.privateKey(enc, "server key")).hasMessageContaining("server key " + enc + " is encrypted");
    Path none = Files.writeString(dir.resolve("none.pem"), "nothing here");
    assertThatThrownBy(() -> Pem.privateKey(none, "server key")).hasMessageContaining("holds no PEM private key");
    Path bad = Files.writeString(dir.resolve("bad.pem"), "-----BEGIN PRIVATE KEY-----\nAAAAAAAA\n-----END PRIVATE KEY-----\n");
    assertThatThrownBy(() -> Pem.privateKey(bad, "server key")).hasMessageContaining("not a readable RSA, EC or Ed25519 key").hasMessageNotContaining("AAAAAAAA");
    assertThatThrownBy(() -> Pem.certificates(dir.resolve("absent.pem"), "CA certificate")).hasMessageContaining("cannot read CA certificate");
  }
}
