package dev.dynamo4j.internal.tls;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM files of the TLS settings: certificates ({@code CERTIFICATE} blocks, in file order) and one
 * unencrypted private key in any of the forms rustls reads ({@code PRIVATE KEY} = PKCS#8, {@code
 * RSA PRIVATE KEY} = PKCS#1, {@code EC PRIVATE KEY} = SEC1), RSA, EC or Ed25519. Other blocks
 * (e.g. {@code EC PARAMETERS}) and text between blocks are skipped.
 *
 * <p>Failure: {@code InvalidArgument} naming the file and what was wrong with it; the key's bytes
 * never appear in a message.
 */
public final class Pem {
  private Pem() {}

  private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");
  private static final int MAX_FILE = 1 << 20;

  public record Block(String label, byte[] der) {}

  public static List<Block> blocks(Path file, String what) {
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_FILE) {
        throw invalid(what + " " + file + " is larger than " + MAX_FILE + " bytes; is it a PEM file?");
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw invalid("cannot read " + what + " " + file + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
    }
    List<Block> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(new String(bytes, StandardCharsets.US_ASCII));
    while (m.find()) {
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(m.group(2).replaceAll("(?m)^[A-Za-z-]+:.*$", "").trim());
      } catch (IllegalArgumentException e) {
        throw invalid(what + " " + file + " has a " + m.group(1) + " block that is not valid base64");
      }
      out.add(new Block(m.group(1), der));
    }
    return out;
  }

  /** Every certificate of {@code file}, the leaf first when it is a chain. */
  public static List<X509Certificate> certificates(Path file, String what) {
    List<X509Certificate> certs = new ArrayList<>();
    CertificateFactory cf;
    try {
      cf = CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException(e);
    }
    for (Block b : blocks(file, what)) {
      if (!b.label().equals("CERTIFICATE") && !b.label().equals("X509 CERTIFICATE") && !b.label().equals("TRUSTED CERTIFICATE")) {
        continue;
      }
      try {
        certs.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der())));
      } catch (CertificateException e) {
        throw invalid(what + " " + file + " holds a certificate that cannot be parsed: " + e.getMessage());
      }
    }
    if (certs.isEmpty()) {
      throw invalid(what + " " + file + " holds no PEM certificate (expected -----BEGIN CERTIFICATE----- blocks)");
    }
    return certs;
  }

  /** The one private key of {@code file}. */
  public static PrivateKey privateKey(Path file, String what) {
    byte[] ecParameters = null; // openssl writes the curve in an EC PARAMETERS block before a SEC1 key that may omit it
    for (Block b : blocks(file, what)) {
      switch (b.label()) {
        case "EC PARAMETERS":
          ecParameters = b.der();
          break;
        case "PRIVATE KEY":
          return pkcs8(b.der(), file, what);
        case "RSA PRIVATE KEY":
          return pkcs8(wrap(RSA_ALGORITHM, b.der()), file, what);
        case "EC PRIVATE KEY":
          return pkcs8(wrap(ecAlgorithm(b.der(), ecParameters, file, what), b.der()), file, what);
        case "ENCRYPTED PRIVATE KEY":
          throw invalid(what + " " + file + " is encrypted; give an unencrypted PEM key (as Dynamo's rustls does)");
        default:
          // not a key block (certificates, EC PARAMETERS): skip
      }
    }
    throw invalid(what + " " + file + " holds no PEM private key (expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
  }

  private static PrivateKey pkcs8(byte[] der, Path file, String what) {
    for (String alg : new String[] {"RSA", "EC", "Ed25519", "RSASSA-PSS", "Ed448"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException | RuntimeException e) {
        // try the next algorithm
      }
    }
    throw invalid(what + " " + file + " holds a private key that is not a readable RSA, EC or Ed25519 key");
  }

  // AlgorithmIdentifier of rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters
  private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
  // OID id-ecPublicKey (1.2.840.10045.2.1)
  private static final byte[] EC_PUBLIC_KEY_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

  /** PKCS#8 PrivateKeyInfo: version 0, the algorithm, the key in an OCTET STRING. */
  static byte[] wrap(byte[] algorithm, byte[] key) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0x02, 0x01, 0x00});
    body.writeBytes(algorithm);
    body.writeBytes(tlv(0x04, key));
    return tlv(0x30, body.toByteArray());
  }

  /**
   * The AlgorithmIdentifier of a SEC1 key: id-ecPublicKey with the curve named in its {@code [0]}
   * field, or else in the file's {@code EC PARAMETERS} block.
   */
  private static byte[] ecAlgorithm(byte[] sec1, byte[] ecParameters, Path file, String what) {
    try {
      Der seq = new Der(sec1, 0);
      if (seq.tag != 0x30) {
        throw new IllegalArgumentException();
      }
      int p = seq.start;
      while (p < seq.end) {
        Der field = new Der(sec1, p);
        if (field.tag == 0xa0) { // parameters [0] EXPLICIT: the named curve's OID
          Der oid = new Der(sec1, field.start);
          ByteArrayOutputStream alg = new ByteArrayOutputStream();
          alg.writeBytes(EC_PUBLIC_KEY_OID);
          alg.write(sec1, oid.offset, oid.end - oid.offset);
          return tlv(0x30, alg.toByteArray());
        }
        p = field.end;
      }
      if (ecParameters != null && ecParameters.length > 2 && ecParameters[0] == 0x06) {
        ByteArrayOutputStream alg = new ByteArrayOutputStream();
        alg.writeBytes(EC_PUBLIC_KEY_OID);
        alg.writeBytes(ecParameters);
        return tlv(0x30, alg.toByteArray());
      }
    } catch (RuntimeException e) {
      // fall through
    }
    throw invalid(what + " " + file + " holds an EC PRIVATE KEY without a named curve; convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt)");
  }

  private static byte[] tlv(int tag, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int n = value.length;
    if (n < 0x80) {
      out.write(n);
    } else if (n < 0x100) {
      out.write(0x81);
      out.write(n);
    } else if (n < 0x10000) {
      out.write(0x82);
      out.write(n >> 8);
      out.write(n);
    } else {
      out.write(0x83);
      out.write(n >> 16);
      out.write(n >> 8);
      out.write(n);
    }
    out.writeBytes(value);
    return out.toByteArray();
  }

  /** One DER element at {@code offset}: its tag, where its value starts and where it ends. */
  private static final class Der {
    final int offset;
    final int tag;
    final int start;
    final int end;

    Der(byte[] b, int offset) {
      this.offset = offset;
      tag = b[offset] & 0xff;
      int len = b[offset + 1] & 0xff;
      int p = offset + 2;
      if (len >= 0x80) {
        int n = len & 0x7f;
        if (n < 1 || n > 3) {
          throw new IllegalArgumentException("DER length");
        }
        len = 0;
        for (int i = 0; i < n; i++) {
          len = (len << 8) | (b[p++] & 0xff);
        }
      }
      start = p;
      end = p + len;
      if (end > b.length) {
        throw new IllegalArgumentException("DER overrun");
      }
    }
  }

  private static DynamoException invalid(String message) {
    return new DynamoException(ErrorType.InvalidArgument, message);
  }
}
