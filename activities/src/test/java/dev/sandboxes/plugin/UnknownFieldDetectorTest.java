package dev.sandboxes.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.sandboxes.batch.BatchRequest;
import dev.sandboxes.model.ExecOutputRequest;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.UnknownFields;
import dev.sandboxes.model.Violation;
import dev.sandboxes.workflow.SandboxRequest;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.common.converter.EncodingKeys;
import io.temporal.payload.codec.PayloadCodec;
import io.temporal.payload.codec.PayloadCodecException;
import io.temporal.common.converter.CodecDataConverter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.annotation.Nonnull;
import org.junit.jupiter.api.Test;

/**
 * The plugin's data converter finds the fields a request carries that its types do not know,
 * by their JSON path, while the value it returns is the SDK's lenient read.
 */
class UnknownFieldDetectorTest {
  private final DataConverter converter = SandboxDataConverter.wrap(DefaultDataConverter.newDefaultInstance());

  static Payload json(String text) {
    return Payload.newBuilder()
        .putMetadata(EncodingKeys.METADATA_ENCODING_KEY, ByteString.copyFromUtf8("json/plain"))
        .setData(ByteString.copyFromUtf8(text)).build();
  }

  private <T> T decode(String text, Class<T> type) {
    return converter.fromPayload(json(text), type, type);
  }

  static List<String> described(Object decoded) {
    return UnknownFields.of(decoded).stream().map(Violation::toString).toList();
  }

  @Test
  void aMisspeltFieldOfTheSpecIsNamedByItsPathWithTheFieldItMeant() {
    SandboxRequest request = decode("{\"spec\": {\"image\": \"busybox:1.36\", \"cmd\": [\"echo\", \"hi\"]}}",
        SandboxRequest.class);
    // the value is the lenient read: the command is lost, which is why it must be refused
    assertThat(request.spec().image()).isEqualTo("busybox:1.36");
    assertThat(request.spec().command()).isEmpty();
    assertThat(described(request)).containsExactly("spec.cmd: unknown field (did you mean command?)");
  }

  @Test
  void everyUnknownFieldAtEveryDepthIsFound() {
    SandboxRequest request = decode("""
        {"spec": {"image": "busybox:1.36", "comand": ["true"], "egress": {"allowedCidr": ["10.0.0.0/8"]},
                  "TTL": 60, "frobnicate": {"deep": [1, {"x": 2}]}},
         "notify": true, "extra": null}""", SandboxRequest.class);
    // an inner record's are found when it is complete, before its holder's
    assertThat(described(request)).containsExactlyInAnyOrder(
        "spec.comand: unknown field (did you mean command?)",
        "spec.egress.allowedCidr: unknown field (did you mean allowedCidrs?)",
        "spec.TTL: unknown field (did you mean ttl?)",
        "spec.frobnicate: unknown field",
        "notify: unknown field (did you mean notifyParent?)",
        "extra: unknown field");
  }

  @Test
  void thePathIsRightWhereverTheUnknownFieldStandsAmongTheKnownOnes() {
    // Jackson reads a record through its constructor: unknown fields before its last component
    // are kept until the record is built, those after it are met while reading
    String all = "\"argv\": [\"true\"], \"env\": {}, \"workdir\": null, \"timeout\": 1, \"stdin\": null, \"id\": null";
    for (String exec : List.of("{\"x\": {\"y\": 1}, " + all + "}", "{" + all + ", \"x\": [1]}",
        "{\"argv\": [\"true\"], \"x\": 1, \"env\": {}, \"workdir\": null, \"timeout\": 1, \"stdin\": null, \"id\": null, \"z\": 2}")) {
      BatchRequest batch = decode("{\"spec\": {\"template\": {\"image\": \"a\", \"q\": 1}, \"parallelism\": 1,"
          + " \"items\": [{\"image\": \"a\", \"args\": [], \"q\": {}}]}, \"nextChunk\": 0, \"w\": []}", BatchRequest.class);
      assertThat(UnknownFields.of(batch)).extracting(Violation::field)
          .containsExactly("spec.template.q", "spec.items[0].q", "w");
      ExecRequest request = decode(exec, ExecRequest.class);
      assertThat(UnknownFields.of(request)).extracting(Violation::field).as(exec).isSubsetOf("x", "z").isNotEmpty();
    }
    SandboxRequest full = decode("""
        {"spec": {"image": "i", "name": "n", "command": [], "args": [], "env": {}, "tags": {}, "cpu": "1",
                  "memory": "1Mi", "volumeMounts": {}, "ttl": 1, "egress": null, "workdir": null,
                  "scheduleTimeout": null, "startupTimeout": null, "cmd": ["x"]},
         "notifyParent": false, "carried": null, "updatesPerRun": null, "resultLines": null, "extra": {"a": [1]}}""",
        SandboxRequest.class);
    assertThat(UnknownFields.of(full)).extracting(Violation::field).containsExactly("spec.cmd", "extra");
  }

  @Test
  void entriesOfListsAreNamedByTheirIndex() {
    BatchRequest request = decode("""
        {"spec": {"name": "b", "items": [{"image": "a"}, {"image": "b", "cmd": ["x"]}],
                  "parallelism": 1, "retry": {"attempts": 2, "retryon": ["failed"]}}}""", BatchRequest.class);
    assertThat(described(request)).containsExactly(
        "spec.items[1].cmd: unknown field (did you mean command?)",
        "spec.retry.retryon: unknown field (did you mean retryOn?)");
  }

  @Test
  void mapKeysAreDataNotFields() {
    SandboxRequest request = decode("""
        {"spec": {"image": "busybox:1.36", "env": {"cmd": "1", "image": "2", "WHATEVER": "3"},
                  "tags": {"cmd": "x"}, "volumeMounts": {"/cmd": "data"}}}""", SandboxRequest.class);
    assertThat(request.spec().env()).containsKeys("cmd", "image", "WHATEVER");
    assertThat(UnknownFields.of(request)).isEmpty();
  }

  @Test
  void aRequestWithKnownFieldsOnlyHasNoneAndNeitherHasOneBuiltInJava() {
    SandboxRequest request = decode("""
        {"spec": {"image": "busybox:1.36", "name": "web", "command": ["true"], "ttl": 600.000000000,
                  "egress": {"unrestricted": false, "allowedCidrs": []}},
         "notifyParent": false, "carried": null, "updatesPerRun": null, "resultLines": null}""", SandboxRequest.class);
    assertThat(UnknownFields.of(request)).isEmpty();
    assertThat(UnknownFields.of(SandboxRequest.of(request.spec()))).isEmpty();
    assertThat(UnknownFields.of(null)).isEmpty();
  }

  @Test
  void theAnswerBelongsToTheDecodedObjectNotToAnEqualOne() {
    ExecRequest withUnknown = decode("{\"argv\": [\"true\"], \"args\": [\"x\"]}", ExecRequest.class);
    ExecRequest clean = decode("{\"argv\": [\"true\"]}", ExecRequest.class);
    assertThat(withUnknown).isEqualTo(clean);
    assertThat(described(withUnknown)).containsExactly("args: unknown field (did you mean argv?)");
    assertThat(UnknownFields.of(clean)).isEmpty();
  }

  @Test
  void everyArgumentOfAMultiArgumentCallIsChecked() {
    Payloads payloads = Payloads.newBuilder().addPayloads(json("\"web\""))
        .addPayloads(json("{\"tail\": 5, \"tial\": 1}")).build();
    Object[] values = converter.fromPayloads(Optional.of(payloads), new Class<?>[] {String.class, LogRequest.class},
        new java.lang.reflect.Type[] {String.class, LogRequest.class});
    assertThat(values[0]).isEqualTo("web");
    assertThat(described(values[1])).containsExactly("tial: unknown field (did you mean tail?)");
    Object[] output = converter.fromPayloads(Optional.of(Payloads.newBuilder().addPayloads(json("\"web\""))
            .addPayloads(json("{\"execId\": \"e1\", \"ofset\": 0}")).build()),
        new Class<?>[] {String.class, ExecOutputRequest.class}, new java.lang.reflect.Type[] {String.class, ExecOutputRequest.class});
    assertThat(described(output[1])).containsExactly("ofset: unknown field (did you mean offset?)");
    // only the requests are read twice (SandboxDataConverter.CHECKED): not, e.g., a status
    dev.sandboxes.model.SandboxStatus status = converter.fromPayload(json("{\"name\": \"web\", \"phaes\": \"running\"}"),
        dev.sandboxes.model.SandboxStatus.class, dev.sandboxes.model.SandboxStatus.class);
    assertThat(UnknownFields.of(status)).isEmpty();
    ExecRequest one = converter.fromPayloads(0,
        Optional.of(Payloads.newBuilder().addPayloads(json("{\"argv\": [\"true\"], \"tiemout\": 5}")).build()),
        ExecRequest.class, ExecRequest.class);
    assertThat(described(one)).containsExactly("tiemout: unknown field (did you mean timeout?)");
  }

  @Test
  void aPayloadThatIsNotPlainJsonIsLeftAlone() {
    // a codec's payload (here a reversible stand-in for encryption): the converter the client
    // configured decodes it; its bytes are not JSON, and nothing is recorded for it
    PayloadCodec reverse = new PayloadCodec() {
      @Nonnull
      @Override
      public List<Payload> encode(@Nonnull List<Payload> payloads) {
        return payloads.stream().map(p -> Payload.newBuilder()
            .putMetadata(EncodingKeys.METADATA_ENCODING_KEY, ByteString.copyFromUtf8("binary/encrypted"))
            .setData(ByteString.copyFrom(reversed(p.toByteArray()))).build()).collect(Collectors.toList());
      }

      @Nonnull
      @Override
      public List<Payload> decode(@Nonnull List<Payload> payloads) {
        return payloads.stream().map(p -> {
          try {
            return Payload.parseFrom(reversed(p.getData().toByteArray()));
          } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new PayloadCodecException(e);
          }
        }).collect(Collectors.toList());
      }
    };
    DataConverter encrypted = SandboxDataConverter.wrap(
        new CodecDataConverter(DefaultDataConverter.newDefaultInstance(), List.of(reverse)));
    Payload sealed = reverse.encode(List.of(json("{\"argv\": [\"true\"], \"args\": [\"x\"]}"))).get(0);
    ExecRequest request = encrypted.fromPayload(sealed, ExecRequest.class, ExecRequest.class);
    assertThat(request.argv()).containsExactly("true");
    assertThat(UnknownFields.of(request)).isEmpty();

    // the same JSON bytes under another encoding are not read as JSON
    Payload binary = Payload.newBuilder()
        .putMetadata(EncodingKeys.METADATA_ENCODING_KEY, ByteString.copyFromUtf8("binary/plain"))
        .setData(ByteString.copyFrom("{\"argv\": [], \"args\": 1}", StandardCharsets.UTF_8)).build();
    assertThat(UnknownFieldDetector.find(binary, ExecRequest.class, ExecRequest.class)).isEmpty();
    assertThat(UnknownFieldDetector.find(json("{\"argv\": [], \"args\": 1}"), ExecRequest.class, ExecRequest.class))
        .hasSize(1);
  }

  @Test
  void typesOutsideTheProjectAreNotChecked() {
    assertThat(UnknownFieldDetector.find(json("{\"a\": 1}"), Map.class, Map.class)).isEmpty();
  }

  @Test
  void theSuggestionIsAFieldCloseEnoughOrNone() {
    List<Object> known = List.of("image", "command", "args", "cpu", "volumeMounts", "scheduleTimeout");
    assertThat(UnknownFieldDetector.closest("cmd", known)).isEqualTo("command");
    assertThat(UnknownFieldDetector.closest("imgae", known)).isEqualTo("image");
    assertThat(UnknownFieldDetector.closest("volume_mounts", known)).isEqualTo("volumeMounts");
    assertThat(UnknownFieldDetector.closest("arg", known)).isEqualTo("args");
    assertThat(UnknownFieldDetector.closest("gpu", known)).isEqualTo("cpu");
    assertThat(UnknownFieldDetector.closest("banana", known)).isNull();
    assertThat(UnknownFieldDetector.closest("x", known)).isNull();
  }

  private static byte[] reversed(byte[] bytes) {
    byte[] out = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = bytes[bytes.length - 1 - i];
    }
    return out;
  }
}
