from meetings.rendering import render_markdown


def test_script_and_event_handlers_are_inert():
    html = render_markdown(
        '<script>alert(1)</script>\n\n<p onmouseover="steal()">hi</p>\n\n'
        "[x](javascript:alert(1)) <iframe src=https://evil.example></iframe>"
    )
    assert "<script" not in html
    assert "onmouseover" not in html
    assert "javascript:" not in html
    assert "<iframe" not in html
    assert "hi" in html


def test_headings_are_nested_under_the_page_heading():
    assert render_markdown("# Top\n\n## Sub", heading_level=3) == "<h3>Top</h3>\n<h4>Sub</h4>"
    assert render_markdown("## Only", heading_level=2) == "<h2>Only</h2>"


def test_links_get_rel_and_tables_render():
    html = render_markdown("[site](https://r2cc.example.org)\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert 'rel="noopener noreferrer nofollow"' in html
    assert "<table>" in html
