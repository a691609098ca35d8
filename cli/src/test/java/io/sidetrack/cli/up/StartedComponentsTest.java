package io.sidetrack.cli.up;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class StartedComponentsTest {
  private final List<String> closed = new CopyOnWriteArrayList<>();

  private AutoCloseable component(String name) {
    return () -> closed.add(name);
  }

  @Test
  @Timeout(30)
  void closesInReverseOrderOfStart() throws Exception {
    StartedComponents stack = new StartedComponents();
    stack.start(() -> component("kafka"));
    stack.start(() -> component("registry"));
    stack.start(() -> component("router"));

    stack.close();

    assertThat(closed).containsExactly("router", "registry", "kafka");
  }

  @Test
  @Timeout(30)
  void aComponentFailingToCloseDoesNotKeepTheRestRunning() throws Exception {
    StartedComponents stack = new StartedComponents();
    stack.start(() -> component("kafka"));
    stack.start(
        () ->
            () -> {
              throw new IllegalStateException("boom");
            });

    stack.close();

    assertThat(closed).containsExactly("kafka");
  }

  @Test
  @Timeout(30)
  void nothingStartsAfterClosingBegan() throws Exception {
    StartedComponents stack = new StartedComponents();
    stack.start(() -> component("kafka"));
    stack.close();
    AtomicBoolean ran = new AtomicBoolean();

    assertThatThrownBy(
            () ->
                stack.start(
                    () -> {
                      ran.set(true);
                      return component("registry");
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("stopping");
    assertThat(ran).isFalse();
    assertThat(closed).containsExactly("kafka");
  }

  @Test
  @Timeout(30)
  void aComponentWhoseStartEndsAfterCloseReturnedIsClosedAtOnce() throws Exception {
    StartedComponents stack = new StartedComponents(Duration.ofMillis(100));
    CountDownLatch starting = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicReference<Exception> failure = new AtomicReference<>();
    Thread main =
        new Thread(
            () -> {
              try {
                stack.start(
                    () -> {
                      starting.countDown();
                      release.await();
                      return component("registry");
                    });
              } catch (Exception e) {
                failure.set(e);
              }
            });
    main.start();
    assertThat(starting.await(5, TimeUnit.SECONDS)).isTrue();
    stack.close(); // gives up waiting after 100 ms

    release.countDown();
    main.join(5_000);

    assertThat(closed).containsExactly("registry");
    assertThat(failure.get()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  @Timeout(30)
  void closeWaitsForAComponentStillStartingAndClosesIt() throws Exception {
    StartedComponents stack = new StartedComponents();
    stack.start(() -> component("kafka"));
    CountDownLatch starting = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread main =
        new Thread(
            () -> {
              try {
                stack.start(
                    () -> {
                      starting.countDown();
                      release.await();
                      return component("registry");
                    });
              } catch (Exception e) {
                // stopping: expected
              }
            });
    main.start();
    assertThat(starting.await(5, TimeUnit.SECONDS)).isTrue();
    AtomicBoolean closeReturned = new AtomicBoolean();
    Thread hook =
        new Thread(
            () -> {
              stack.close();
              closeReturned.set(true);
            });
    hook.start();
    hook.join(300);
    assertThat(hook.isAlive()).as("close waits for the start under way").isTrue();

    release.countDown();
    hook.join(5_000);
    main.join(5_000);

    assertThat(closeReturned).isTrue();
    assertThat(closed).containsExactlyInAnyOrder("registry", "kafka");
  }

  @Test
  @Timeout(30)
  void everyComponentStartedWhileAnotherThreadClosesIsClosed() throws Exception {
    for (int trial = 0; trial < 200; trial++) {
      closed.clear();
      List<String> started = new CopyOnWriteArrayList<>();
      StartedComponents stack = new StartedComponents();
      int n = 50;
      Thread main =
          new Thread(
              () -> {
                for (int i = 0; i < n; i++) {
                  String name = "c" + i;
                  try {
                    stack.start(
                        () -> {
                          started.add(name);
                          return component(name);
                        });
                  } catch (Exception e) {
                    // stopping: the component was closed already
                  }
                }
              });
      main.start();
      stack.close();
      main.join();
      assertThat(closed).as("trial %d", trial).hasSameElementsAs(started).doesNotHaveDuplicates();
    }
  }
}
