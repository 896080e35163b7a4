package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Temporal Web UI of the rig's dev server, in Debian's headless Chromium: a sandbox workflow
 * is found through its {@code SandboxTags} search attribute and its page shows its phase.
 * Saves screenshots under {@code target/ui/}. e2e profile only ({@code -Dsandboxes.cli.address},
 * {@code -Dsandboxes.e2e.ui}); fails, never skips, without the rig or without Chromium.
 */
class TemporalUiClusterTest {
  static final Path CHROMIUM = Path.of(System.getProperty("sandboxes.e2e.chromium", "/usr/bin/chromium"));
  static final Path CHROMEDRIVER =
      Path.of(System.getProperty("sandboxes.e2e.chromedriver", "/usr/bin/chromedriver"));
  static final Path SCREENSHOTS = Path.of("target", "ui");

  static WorkflowServiceStubs stubs;
  static SandboxClient sandboxes;
  static String ui;

  @BeforeAll
  static void connect() {
    String address = System.getProperty("sandboxes.cli.address");
    ui = System.getProperty("sandboxes.e2e.ui");
    if (missing(address) || missing(ui)) {
      fail("the browser test needs the rig's Temporal server and UI: -Dsandboxes.cli.address=" + address
          + " -Dsandboxes.e2e.ui=" + ui + "; run deploy/e2e.sh");
    }
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      fail("the browser test needs Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
          + "); deploy/e2e.sh installs them");
    }
    stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
    sandboxes = new SandboxClient(WorkflowClient.newInstance(stubs));
  }

  @AfterAll
  static void close() {
    if (stubs != null) {
      stubs.shutdownNow();
    }
  }

  @Test
  void theUiFindsASandboxBySearchAttributeAndShowsItsPhase() throws Exception {
    String tag = "ui-" + UUID.randomUUID().toString().substring(0, 8);
    String name = sandboxes.start(SandboxSpec.builder("busybox:1.36").name(tag).tag("check", tag).build());
    WebDriver browser = null;
    try {
      assertThat(sandboxes.awaitRunning(name, Duration.ofMinutes(2)).phase()).isEqualTo(SandboxPhase.RUNNING);
      browser = chromium();
      WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
      String query = "SandboxTags=\"check=" + tag + "\"";
      browser.get(ui + "/namespaces/default/workflows?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
      String workflowId = "sandbox/" + name;
      awaitListed(browser, wait, workflowId);
      screenshot(browser, "workflows-" + tag);
      assertThat(browser.findElements(By.linkText(workflowId))).hasSize(1);

      browser.findElement(By.linkText(workflowId)).click();
      wait.until(ExpectedConditions.elementToBeClickable(By.partialLinkText("Search Attributes"))).click();
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "SandboxPhase"));
      screenshot(browser, "search-attributes-" + tag);
      assertThat(browser.findElement(By.tagName("body")).getText())
          .contains(workflowId, "\"SandboxPhase\": \"running\"", "\"SandboxTags\": [");

      // current details are markdown, which the UI renders inside a sandboxed iframe
      wait.until(ExpectedConditions.elementToBeClickable(By.partialLinkText("User Metadata"))).click();
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "Current Details"));
      screenshot(browser, "current-details-" + tag);
      String details = wait.until(driver -> {
        for (org.openqa.selenium.WebElement frame : driver.findElements(By.tagName("iframe"))) {
          driver.switchTo().frame(frame);
          String text = driver.findElement(By.tagName("body")).getText();
          driver.switchTo().defaultContent();
          if (text.contains("Phase:")) {
            return text;
          }
        }
        return null;
      });
      assertThat(details).contains("Phase: running");
    } catch (RuntimeException | AssertionError e) {
      if (browser != null) {
        screenshot(browser, "failed-" + tag);
        Files.writeString(SCREENSHOTS.resolve("failed-" + tag + ".txt"),
            browser.findElement(By.tagName("body")).getText());
      }
      throw e;
    } finally {
      if (browser != null) {
        browser.quit();
      }
      sandboxes.terminate(name, "browser test done");
    }
  }

  @Test
  void aFailedSandboxIsListedUnderItsFailedPhaseAndARunningOneIsNot() throws Exception {
    // the list's status column says Completed for a failed sandbox (README: In the Temporal UI);
    // the SandboxPhase attribute is how the list shows failures, as a query an operator saves
    String tag = "ui-failed-" + UUID.randomUUID().toString().substring(0, 8);
    String failed = sandboxes.start(SandboxSpec.builder("busybox:1.36").name(tag).tag("check", tag)
        .command("sh", "-c", "exit 3").build());
    String running = sandboxes.start(SandboxSpec.builder("busybox:1.36").name(tag + "-r").tag("check", tag).build());
    WebDriver browser = null;
    try {
      assertThat(sandboxes.result(failed).status().phase()).isEqualTo(SandboxPhase.FAILED);
      assertThat(sandboxes.awaitRunning(running, Duration.ofMinutes(2)).phase()).isEqualTo(SandboxPhase.RUNNING);
      browser = chromium();
      WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
      String query = "SandboxPhase=\"failed\" AND SandboxTags=\"check=" + tag + "\"";
      browser.get(ui + "/namespaces/default/workflows?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
      awaitListed(browser, wait, "sandbox/" + failed);
      screenshot(browser, "failed-listed-" + tag);
      assertThat(browser.findElements(By.linkText("sandbox/" + running))).as("the running sandbox").isEmpty();
    } catch (RuntimeException | AssertionError e) {
      if (browser != null) {
        screenshot(browser, "failed-" + tag);
      }
      throw e;
    } finally {
      if (browser != null) {
        browser.quit();
      }
      sandboxes.terminate(running, "browser test done");
    }
  }

  /**
   * Waits for the workflow's row. The UI renders its own "500 Internal Error" page when one of
   * its page-load calls to the server fails (seen once on the rig right after the crash suites,
   * with the server busy), and once it left the page blank for a minute (its app never drew);
   * like a person, the test then reloads, at most three times, and says so.
   */
  static void awaitListed(WebDriver browser, WebDriverWait wait, String workflowId) {
    for (int reloads = 0; ; reloads++) {
      String seen;
      try {
        // a non-null, non-Boolean answer ends the wait: "listed" or "error"
        seen = wait.until(driver -> {
          if (!driver.findElements(By.linkText(workflowId)).isEmpty()
              && driver.findElement(By.linkText(workflowId)).isDisplayed()) {
            return "listed";
          }
          return driver.findElement(By.tagName("body")).getText().contains("Internal Error") ? "error" : null;
        });
      } catch (org.openqa.selenium.TimeoutException e) {
        if (!browser.findElement(By.tagName("body")).getText().isBlank()) {
          throw e; // a page with content but without the row: that is the failure to report
        }
        seen = "blank";
      }
      if (seen.equals("listed")) {
        return;
      }
      String page = seen.equals("error") ? "its 500 Internal Error page" : "a blank page";
      assertThat(reloads).as("the UI kept showing %s", page).isLessThan(3);
      System.out.println("the Temporal UI showed " + page + "; reloading");
      browser.navigate().refresh();
    }
  }

  /** Unset, blank, or a Maven expression left unresolved because the property was not given. */
  static boolean missing(String value) {
    return value == null || value.isBlank() || value.startsWith("${");
  }

  static WebDriver chromium() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // headless as root, and nothing that reaches for the network this machine does not have
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--window-size=1440,1000");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .build();
    return new ChromeDriver(service, options);
  }

  static void screenshot(WebDriver browser, String name) throws java.io.IOException {
    Files.createDirectories(SCREENSHOTS);
    byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
    Files.write(SCREENSHOTS.resolve(name + ".png"), png);
  }
}
