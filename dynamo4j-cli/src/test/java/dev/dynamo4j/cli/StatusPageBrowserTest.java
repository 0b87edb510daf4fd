package dev.dynamo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.testkit.ChildJvm;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The live status page of a {@code serve} process, loaded in a real headless Chromium (Debian
 * {@code chromium} and {@code chromium-driver}, driven by Selenium): it lists the served endpoint
 * and its request count rises as calls are made, without a reload.
 */
@Timeout(180)
class StatusPageBrowserTest {
  @TempDir Path root;

  static String binary(String name, String pkg) {
    for (String p : List.of("/usr/bin/" + name, "/usr/lib/chromium/" + name, "/usr/local/bin/" + name)) {
      if (Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    throw new AssertionError(name + " not found: install the Debian package " + pkg + " (scripts/test does this as root)");
  }

  static WebDriver chromium() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(binary("chromium", "chromium"));
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,900");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(binary("chromedriver", "chromium-driver")))
        .usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }

  /**
   * The row's request count, read in one script: the page replaces its rows on each refresh, so a
   * row found by one WebDriver call can be stale by the next (a CI run failed on that).
   */
  static long requests(WebDriver browser) {
    Object text = ((JavascriptExecutor) browser).executeScript(
        "const e = document.querySelector(\"#served tr[data-path='page/backend/generate'] .requests\"); return e ? e.textContent : null;");
    assertThat(text).as("the served row's request count").isNotNull();
    return Long.parseLong(text.toString().replace(",", "").trim());
  }

  /** The text of the first element {@code by} finds, found again if a refresh replaced it meanwhile. */
  static String text(WebDriverWait wait, By by) {
    return wait.until(d -> {
      List<WebElement> found = d.findElements(by);
      return found.isEmpty() ? null : found.get(0).getText();
    });
  }

  @Test
  void theServedEndpointAndItsRisingRequestCountShowWithoutAReload() throws Exception {
    try (ChildJvm worker = ChildJvm.start(Main.class, "serve", "page/backend/generate", "--file-kv", root.toString(),
        "--delay-ms", "0", "--tokens", "1", "--system-port", "0")) {
      worker.awaitLine("serving ", Duration.ofSeconds(60));
      Matcher url = Pattern.compile("at (http://[^ ]+/) ").matcher(worker.awaitLine("status server at ", Duration.ofSeconds(10)));
      assertThat(url.find()).isTrue();
      WebDriver browser = chromium();
      try {
        browser.get(url.group(1));
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        By row = By.cssSelector("#served tr[data-path='page/backend/generate']");
        wait.ignoring(StaleElementReferenceException.class);
        assertThat(text(wait, row)).contains("page/backend/generate", "ready");
        assertThat(text(wait, By.id("status"))).isEqualTo("ready");
        assertThat(text(wait, By.cssSelector("#discovered tr[data-path='page/backend/generate']"))).contains("this process");
        long before = requests(browser);
        Object navigation = ((JavascriptExecutor) browser).executeScript("return performance.timeOrigin");

        for (int i = 0; i < 3; i++) {
          assertThat(CliTest.run("call", "page/backend/generate", "\"hello\"", "--file-kv", root.toString()).code()).isZero();
        }
        wait.until(d -> requests(d) >= before + 3);
        Object after = ((JavascriptExecutor) browser).executeScript("return performance.timeOrigin");
        assertThat(after).as("the page was not reloaded").isEqualTo(navigation);
        assertThat(text(wait, By.id("live"))).startsWith("live");
      } finally {
        browser.quit();
      }
    }
  }
}
