package dev.dynamo4j.zmq;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

class WakerTest {

  /**
   * An owner waits in a real JeroMQ receive that nothing answers (a 60 s timeout: a lost wake-up
   * would leave work unprocessed and fail the latch) while four threads hand it 10,000 items each as fast as they can, then one thread 200 more, one at a time;
   * after every wake-up it sends on a socket without catching EINTR, so an interrupt that landed
   * outside the receive would fail the test.
   */
  @Test
  void everyHandOverWakesTheOwnerAndNoInterruptLandsOutsideTheReceive() throws Exception {
    int producers = 4;
    int perProducer = 10_000;
    int paced = 200;
    ConcurrentLinkedQueue<Integer> inbox = new ConcurrentLinkedQueue<>();
    CountDownLatch done = new CountDownLatch(producers * perProducer + paced);
    AtomicReference<Throwable> ownerFailure = new AtomicReference<>();
    AtomicInteger waits = new AtomicInteger();
    CountDownLatch ownerReady = new CountDownLatch(1);
    try (ZContext ctx = new ZContext(1)) {
      ZMQ.Socket sink = ctx.createSocket(SocketType.PULL);
      sink.bind("inproc://waker-sink");
      Thread owner = Thread.ofPlatform().unstarted(() -> {
        ZMQ.Socket idle = ctx.createSocket(SocketType.PULL); // nothing ever arrives here
        idle.bind("inproc://waker-idle");
        idle.setReceiveTimeOut(60_000);
        ZMQ.Socket out = ctx.createSocket(SocketType.PUSH);
        out.setSndHWM(0);
        out.connect("inproc://waker-sink");
        Waker waker = WAKER.get();
        ownerReady.countDown();
        try {
          while (done.getCount() > 0) {
            Integer item;
            while ((item = inbox.poll()) != null) {
              out.send(new byte[] {item.byteValue()}, ZMQ.DONTWAIT); // throws on a stray EINTR
              done.countDown();
            }
            waker.parking();
            if (!inbox.isEmpty() || done.getCount() == 0) {
              waker.unparked(false);
              continue;
            }
            ZMQException failure = null;
            try {
              idle.recv(0);
            } catch (ZMQException e) {
              if (!Waker.isInterrupt(e)) {
                throw e;
              }
              failure = e;
            }
            waits.incrementAndGet(); // nothing arrives on idle: only a wake-up ends this wait
            waker.unparked(Waker.interruptedWait(failure));
          }
        } catch (Throwable t) {
          ownerFailure.set(t);
        } finally {
          idle.close();
          out.close();
        }
      });
      Waker waker = new Waker(owner);
      WAKER.set(waker);
      owner.start();
      assertThat(ownerReady.await(30, TimeUnit.SECONDS)).isTrue();
      Thread[] threads = new Thread[producers];
      for (int p = 0; p < producers; p++) {
        threads[p] = Thread.ofPlatform().start(() -> {
          for (int i = 0; i < perProducer; i++) {
            inbox.add(i);
            waker.wake();
          }
        });
      }
      for (Thread t : threads) {
        t.join();
      }
      // then one item at a time, each once the last was taken and after a pause, so that the
      // owner's queue runs empty and it waits in its receive: only a wake-up ends that wait
      // before its 60 s timeout
      for (int i = 0; i < paced; i++) {
        long before = done.getCount();
        LockSupport.parkNanos(200_000); // a pace, not a wait for anything
        inbox.add(i);
        waker.wake();
        assertThat(awaitBelow(done, before)).isTrue();
      }
      boolean all = done.await(60, TimeUnit.SECONDS);
      owner.join(TimeUnit.SECONDS.toMillis(10));
      assertThat(ownerFailure.get()).isNull();
      assertThat(all).as("every item handed over was processed (a lost wake-up leaves the owner in its 60 s receive)").isTrue();
      assertThat(waits.get()).as("the owner was woken out of its receive").isPositive();
      assertThat(owner.isInterrupted()).isFalse();
    }
  }

  private static final AtomicReference<Waker> WAKER = new AtomicReference<>();

  /** Whether {@code latch} goes below {@code count} within 60 s. */
  private static boolean awaitBelow(CountDownLatch latch, long count) {
    return Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(1))
        .until(latch::getCount, c -> c < count) < count;
  }

}
