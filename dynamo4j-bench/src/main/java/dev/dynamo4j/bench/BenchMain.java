package dev.dynamo4j.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine;

/** {@code java -jar dynamo4j-bench.jar request-plane ...}; {@code ./dynamo4j bench request-plane} runs this. */
@Command(
    name = "dynamo4j bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks of dynamo4j side by side with the peers a user would pick instead.",
    subcommands = {RequestPlaneCompare.class})
public final class BenchMain implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchMain()).execute(args));
  }
}
