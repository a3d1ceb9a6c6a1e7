package dev.geneva.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The process-wide ambient backfill target: where {@code table.backfill(...)} runs when its options
 * name neither a {@linkplain dev.geneva.BackfillOptions#target() target} nor an {@linkplain
 * dev.geneva.BackfillOptions#executor() executor}, on every thread of this JVM (as Python Geneva's
 * {@code with ray_cluster(...)} applies to the whole process).
 *
 * <p>Targets stack: the one entered last and not yet left is current. Leaving a target that is not
 * the latest (scopes closed out of order, or from another thread) removes just that one; the others
 * stay in their order. {@link Scope#close()} may be called from any thread.
 */
public final class BackfillTargets {
  private static final List<Scope> STACK = new ArrayList<>(); // guarded by STACK

  private BackfillTargets() {}

  /**
   * The target entered last and not yet left, in the whole JVM.
   *
   * @return the target, or empty to run in this JVM
   */
  public static Optional<BackfillTarget> current() {
    synchronized (STACK) {
      return STACK.isEmpty() ? Optional.empty() : Optional.of(STACK.get(STACK.size() - 1).target);
    }
  }

  /**
   * Makes a target the ambient one of every thread until the returned scope is closed (or a later
   * target is entered, until that one is left).
   *
   * @param target the target
   * @return the scope; close it on any thread
   */
  public static Scope enter(BackfillTarget target) {
    Objects.requireNonNull(target, "target");
    Scope scope = new Scope(target);
    synchronized (STACK) {
      STACK.add(scope);
    }
    return scope;
  }

  /** A target's time as an ambient one. */
  public static final class Scope implements AutoCloseable {
    private final BackfillTarget target;

    private Scope(BackfillTarget target) {
      this.target = target;
    }

    /** Stops the target being ambient. Safe to call twice and from any thread. */
    @Override
    public void close() {
      synchronized (STACK) {
        STACK.remove(this);
      }
    }
  }
}
