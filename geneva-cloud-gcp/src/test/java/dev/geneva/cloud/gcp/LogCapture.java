package dev.geneva.cloud.gcp;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what is logged while it is open: SLF4J (slf4j-simple writes to {@code System.err}, at
 * debug for {@code dev.geneva} in this module's tests) and java.util.logging (Google's libraries).
 */
final class LogCapture implements AutoCloseable {
  private final PrintStream originalErr = System.err;
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final StringBuilder jul = new StringBuilder();
  private final Logger root = Logger.getLogger("");
  private final Handler handler =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          synchronized (jul) {
            jul.append(record.getLevel())
                .append(' ')
                .append(record.getLoggerName())
                .append(": ")
                .append(new java.util.logging.SimpleFormatter().formatMessage(record))
                .append('\n');
            if (record.getThrown() != null) {
              jul.append(record.getThrown()).append('\n');
            }
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  LogCapture() {
    handler.setLevel(Level.ALL);
    root.addHandler(handler);
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  String text() {
    System.err.flush();
    synchronized (jul) {
      return err.toString(StandardCharsets.UTF_8) + jul;
    }
  }

  @Override
  public void close() {
    System.setErr(originalErr);
    root.removeHandler(handler);
  }
}
