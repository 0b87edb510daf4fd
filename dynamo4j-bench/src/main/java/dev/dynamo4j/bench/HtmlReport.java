package dev.dynamo4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A self-contained HTML page (inline SVG, no scripts) with one bar chart per metric and size, every side a bar. */
final class HtmlReport {
  private HtmlReport() {}

  private static final String[] COLOURS = {"#1f77b4", "#aec7e8", "#7f7f7f", "#2ca02c", "#d62728", "#9467bd"};

  static String render(JsonNode r) {
    List<String> sides = new ArrayList<>();
    r.get("sides").forEach(s -> sides.add(s.asText()));
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>dynamo4j request plane side by side</title>")
        .append("<style>body{font-family:sans-serif;margin:2em;color:#222}.chart{display:inline-block;margin:1em;vertical-align:top}")
        .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}</style></head><body>")
        .append("<h1>Request plane side by side</h1><p>")
        .append(esc(String.format(Locale.ROOT, "%d cores, Java %s; per side a %.0f s JIT pre-pass, then %d ms warm-up and %d ms measured per cell; %d unary callers on one connection; %d items per stream.",
            r.path("cores").asInt(), r.path("java").asText(), r.path("jit_seconds").asDouble(), r.path("warmup_ms").asLong(), r.path("duration_ms").asLong(),
            r.path("concurrency").asInt(), r.path("items_per_stream").asInt())))
        .append("</p>");
    if (r.path("errors").size() > 0) {
      h.append("<p><b>Failed sides:</b> ").append(esc(r.get("errors").toString())).append("</p>");
    }
    for (JsonNode row : r.get("rows")) {
      h.append(chart(row, sides));
    }
    h.append("</body></html>\n");
    return h.toString();
  }

  private static String chart(JsonNode row, List<String> sides) {
    int w = 420;
    int barH = 22;
    int left = 130;
    double max = 0;
    for (String s : sides) {
      max = Math.max(max, row.path("values").path(s).asDouble(0));
    }
    int height = 40 + sides.size() * (barH + 6);
    StringBuilder svg = new StringBuilder();
    String title = row.get("metric").asText() + ", " + row.get("size").asInt() + " B (" + row.get("unit").asText() + ", "
        + (row.get("lower_is_better").asBoolean() ? "lower" : "higher") + " is better)";
    svg.append("<div class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(w + 80).append("\" height=\"").append(height)
        .append("\" role=\"img\"><title>").append(esc(title)).append("</title>")
        .append("<text x=\"0\" y=\"16\" font-size=\"13\" font-weight=\"bold\">").append(esc(title)).append("</text>");
    int y = 30;
    for (int i = 0; i < sides.size(); i++) {
      String s = sides.get(i);
      JsonNode v = row.path("values").path(s);
      int len = v.isMissingNode() || max == 0 ? 0 : (int) Math.round(v.asDouble() / max * (w - left));
      svg.append("<text x=\"0\" y=\"").append(y + 15).append("\" font-size=\"12\">").append(esc(s)).append("</text>")
          .append("<rect x=\"").append(left).append("\" y=\"").append(y).append("\" width=\"").append(Math.max(1, len)).append("\" height=\"").append(barH)
          .append("\" fill=\"").append(COLOURS[i % COLOURS.length]).append("\"/>")
          .append("<text x=\"").append(left + len + 4).append("\" y=\"").append(y + 15).append("\" font-size=\"12\">")
          .append(v.isMissingNode() ? "failed" : String.format(Locale.ROOT, "%,.0f", v.asDouble())).append("</text>");
      y += barH + 6;
    }
    svg.append("</svg></div>\n");
    return svg.toString();
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
