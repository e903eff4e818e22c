"""The demo page (web/) in a real headless browser: Debian's chromium and chromedriver driven by
Selenium, the page served by ``zoo.cli.serve_demo``, onnxruntime-web from ``web/node_modules``.

It loads every shipped generator, and for fixed codes its outputs equal ONNX Runtime's in Python
within 1e-4; the controls (new seed, the class picker, the latent sliders, the drawing canvas and
the VAE's reconstruction of it) change what the page shows. Skipped, with the reason, where there
is no browser, no chromedriver, no Selenium or no ``npm ci --prefix web`` (``.ci/run`` installs
them all)."""

import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from export.runtime import OnnxGenerator
from zoo import pretrained

ROOT = Path(__file__).resolve().parents[2]
ORT = ROOT / "web" / "node_modules" / "onnxruntime-web" / "dist" / "ort.wasm.min.mjs"
BROWSER = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
DRIVER = shutil.which("chromedriver")

try:
    import selenium  # noqa: F401

    HAVE_SELENIUM = True
except ImportError:
    HAVE_SELENIUM = False

pytestmark = [
    pytest.mark.skipif(not HAVE_SELENIUM, reason="Selenium is not installed (pip install -e '.[dev]')"),
    pytest.mark.skipif(BROWSER is None, reason="no chromium here (apt-get install chromium chromium-driver)"),
    pytest.mark.skipif(DRIVER is None, reason="no chromedriver here (apt-get install chromium-driver)"),
    pytest.mark.skipif(not ORT.is_file(), reason="onnxruntime-web is not installed (npm ci --prefix web)"),
]

CALL = "const done = arguments[arguments.length - 1]; {expr}.then(done, (e) => done('ERROR ' + e));"


@pytest.fixture(scope="module")
def page():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    from zoo.cli.serve_demo import make_server

    server = make_server(port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.binary_location = BROWSER
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    driver.set_script_timeout(120)
    try:
        driver.get(f"http://127.0.0.1:{server.server_address[1]}/")
        yield driver
    finally:
        driver.quit()
        server.shutdown()
        server.server_close()


def run(driver, expr, *args):
    result = driver.execute_async_script(CALL.format(expr=expr), *args)
    assert not (isinstance(result, str) and result.startswith("ERROR")), result
    return result


def canvas_pixels(driver, canvas_id):
    script = (
        f"const c = document.getElementById('{canvas_id}');"
        "return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);"
    )
    return np.array(driver.execute_script(script), np.uint8)


def test_the_page_loads_every_shipped_generator(page):
    names = run(page, "genzoo.ready")
    shipped = [row["name"] for row in pretrained.list()]
    assert names == shipped
    assert page.find_element("id", "status").text.startswith(f"{len(shipped)} models loaded (onnxruntime-web 1.30.0")
    assert page.find_element("id", "model").get_attribute("value") == "wgan_gp"
    assert len(np.unique(canvas_pixels(page, "grid"))) > 10  # samples were drawn


def test_for_fixed_codes_the_page_computes_what_onnx_runtime_computes_in_python(page):
    run(page, "genzoo.ready")
    for name in run(page, "genzoo.ready"):
        onnx = OnnxGenerator(name)
        z = np.random.default_rng(11).standard_normal((4, onnx.latent_dim)).astype(np.float32)
        labels = [1, 4, 7, 9] if onnx.is_conditional else None
        mine = np.asarray(
            run(page, "genzoo.generate(arguments[0], arguments[1], arguments[2])", name, z.ravel().tolist(), labels)
        )
        ref = onnx.generate(z, np.array(labels, np.int32)) if labels else onnx.generate(z)
        np.testing.assert_allclose(mine.reshape(ref.shape), ref, atol=1e-4, err_msg=name)


def test_the_controls_change_the_samples_and_the_drawn_digit_is_reconstructed_by_the_vae(page):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.support.ui import Select

    run(page, "genzoo.ready")
    before = canvas_pixels(page, "grid")
    page.find_element("id", "new-seed").click()
    assert page.find_element("id", "seed").text == "1"
    run(page, "new Promise((r) => setTimeout(r, 500))")
    assert not np.array_equal(before, canvas_pixels(page, "grid"))

    Select(page.find_element("id", "model")).select_by_value("cgan")
    run(page, "new Promise((r) => setTimeout(r, 500))")
    assert page.find_element("id", "label-picker").is_displayed()
    zero = canvas_pixels(page, "grid")
    Select(page.find_element("id", "label")).select_by_value("7")
    run(page, "new Promise((r) => setTimeout(r, 500))")
    assert not np.array_equal(zero, canvas_pixels(page, "grid"))  # the same codes, another digit

    moved = canvas_pixels(page, "moved")
    slider = page.find_element("css selector", "#sliders input")
    ActionChains(page).click_and_hold(slider).move_by_offset(40, 0).release().perform()
    run(page, "new Promise((r) => setTimeout(r, 500))")
    assert not np.array_equal(moved, canvas_pixels(page, "moved"))

    Select(page.find_element("id", "model")).select_by_value("vae")
    run(page, "new Promise((r) => setTimeout(r, 500))")
    draw = page.find_element("id", "draw")
    assert draw.is_displayed()
    strokes = ActionChains(page).move_to_element_with_offset(draw, 0, -70).click_and_hold()
    strokes.move_by_offset(0, 140).move_by_offset(10, 0).release().perform()  # a "1"
    run(page, "new Promise((r) => setTimeout(r, 800))")
    image = np.asarray(page.execute_script("return genzoo.drawingAsImage();"), np.float32)
    assert image.shape == (784,) and image.max() > 0.5 and (image > 0.1).sum() > 10
    shown = canvas_pixels(page, "reconstruction").reshape(224, 224, 4)
    assert shown[..., 3].max() == 255 and len(np.unique(shown[..., 0])) > 5  # the reconstruction is drawn
    # ... and it is the VAE's: the decoder at the posterior mean, as ONNX Runtime computes it
    import onnxruntime as ort

    shipped = pretrained.locate("vae")
    encoder = ort.InferenceSession(str(shipped.directory / f"{shipped.version}.encode.onnx"))
    mean = encoder.run(["mean"], {"images": image.reshape(1, 28, 28, 1)})[0]
    expected = OnnxGenerator("vae").generate(mean)
    mine = np.asarray(run(page, "genzoo.reconstruct('vae', arguments[0])", image.tolist()), np.float32)
    np.testing.assert_allclose(mine.reshape(expected.shape), expected, atol=1e-4)
