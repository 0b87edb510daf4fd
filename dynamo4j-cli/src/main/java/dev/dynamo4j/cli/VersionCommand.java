package dev.dynamo4j.cli;

import dev.dynamo4j.internal.Version;
import picocli.CommandLine.Command;

@Command(name = "version", mixinStandardHelpOptions = true, description = "Print the dynamo4j version and the Java runtime it runs on.")
final class VersionCommand implements Runnable {
  @Override
  public void run() {
    System.out.println("dynamo4j " + Version.get());
    System.out.println("java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
  }
}
