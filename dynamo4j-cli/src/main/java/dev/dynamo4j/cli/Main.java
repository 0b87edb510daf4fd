package dev.dynamo4j.cli;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.internal.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The {@code dynamo4j} command. */
@Command(
    name = "dynamo4j",
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionProvider.class,
    description = {
      "The communication layer of a distributed inference runtime, compatible with NVIDIA Dynamo's wire formats.",
      "",
      "Start with 'dynamo4j demo': it serves a streaming engine and calls it through a pipeline, with no server to install."
    },
    footer = {
      "",
      "Configuration comes from DYN_* environment variables (DYN_DISCOVERY_BACKEND, DYN_REQUEST_PLANE, ...) as in Dynamo;",
      "'dynamo4j settings' lists every one with its default and what it does ('dynamo4j settings TLS' for some).",
      "Set DYN_LOG=debug to see library logs on stderr."
    },
    subcommands = {VersionCommand.class, DemoCommand.class, ServeCommand.class, StatusCommand.class, CallCommand.class, DiscoveryCommand.class, EventsCommand.class, ZmqBrokerCommand.class, ZmqKeygenCommand.class, SettingsCommand.class, QueueCommand.class, ObjectCommand.class, NatsCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (tests call this). */
  public static int run(String... args) {
    return new CommandLine(new Main())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(Main::reportFailure)
        .execute(args);
  }

  /**
   * Errors a user can act on (bad configuration, an unreachable backend) are one line on stderr
   * naming what was wrong; set DYN_LOG=debug for the stack trace.
   */
  static int reportFailure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    String debug = SettingsCommand.LOG.read(System.getenv());
    if (debug != null && debug.equalsIgnoreCase("debug")) {
      e.printStackTrace(cmd.getErr());
    }
    if (e instanceof DynamoException de) {
      cmd.getErr().println(cmd.getCommandName().equals("dynamo4j") ? "dynamo4j: " + de.getMessage()
          : "dynamo4j " + cmd.getCommandSpec().qualifiedName().replaceFirst("^dynamo4j ", "") + ": " + de.getMessage());
      return de.type() == ErrorType.InvalidArgument ? 2 : 1;
    }
    cmd.getErr().println("dynamo4j: unexpected failure: " + e);
    e.printStackTrace(cmd.getErr());
    return 1;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Reads the version the build wrote into the jar. */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"dynamo4j " + Version.get()};
    }
  }
}
