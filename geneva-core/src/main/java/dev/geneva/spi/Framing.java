package dev.geneva.spi;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Length-prefixed lists of encoded values, for tasks and results that travel in groups. */
final class Framing {
  /** Marks the encoding, so other bytes are refused, not misread. */
  private static final int FORMAT = 0x47524C31; // "GRL1"

  private Framing() {}

  static byte[] join(List<byte[]> parts) {
    var bytes = new ByteArrayOutputStream();
    try (var out = new DataOutputStream(bytes)) {
      out.writeInt(FORMAT);
      out.writeInt(parts.size());
      for (byte[] p : parts) {
        out.writeInt(p.length);
        out.write(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static List<byte[]> split(byte[] bytes) {
    try (var in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      int format = in.readInt();
      if (format != FORMAT) {
        throw new IllegalArgumentException(
            "not a list encoded by this Geneva version (format "
                + Integer.toHexString(format)
                + ")");
      }
      int n = in.readInt();
      if (n < 0) {
        throw new IllegalArgumentException("negative list size " + n);
      }
      List<byte[]> parts = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
          throw new IllegalArgumentException("truncated list: part " + i + " of " + n);
        }
        parts.add(in.readNBytes(length));
      }
      if (in.available() > 0) {
        throw new IllegalArgumentException("list has " + in.available() + " extra bytes");
      }
      return parts;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
