package dev.geneva.spi;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Optional;

/**
 * The backfill target of the current thread: where {@code table.backfill(...)} runs when its
 * options name none. Targets nest; {@link Scope#close()} restores the previous one.
 */
public final class BackfillTargets {
  private static final ThreadLocal<Deque<BackfillTarget>> CURRENT =
      ThreadLocal.withInitial(ArrayDeque::new);

  private BackfillTargets() {}

  /**
   * The innermost target entered on this thread.
   *
   * @return the target, or empty to run in this JVM
   */
  public static Optional<BackfillTarget> current() {
    return Optional.ofNullable(CURRENT.get().peek());
  }

  /**
   * Makes a target current on this thread until the returned scope is closed.
   *
   * @param target the target
   * @return the scope; close it on the same thread
   */
  public static Scope enter(BackfillTarget target) {
    Objects.requireNonNull(target, "target");
    Deque<BackfillTarget> stack = CURRENT.get();
    stack.push(target);
    return new Scope(stack, target);
  }

  /** A target's time as the current one. */
  public static final class Scope implements AutoCloseable {
    private final Deque<BackfillTarget> stack;
    private final BackfillTarget target;
    private boolean closed;

    private Scope(Deque<BackfillTarget> stack, BackfillTarget target) {
      this.stack = stack;
      this.target = target;
    }

    /** Stops the target being current. Safe to call twice. */
    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      stack.remove(target);
    }
  }
}
