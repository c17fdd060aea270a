// The Cesium viewer, fully offline: no Cesium ion, no geocoder, no base
// layer picker, ellipsoid terrain, Cesium's bundled NaturalEarthII imagery
// as the base layer and the plant's own PMTiles basemap (/tiles/{name})
// over the site when the server has one. The scene renders on request
// (requestRenderMode): modules call scene.requestRender() after a change.
import { Frame } from "./frame.js";
import { on } from "./state.js";
import { t } from "./i18n.js";

const BASEMAP_LEVELS = [14, 19];
const HOME_PITCH_DEG = -42;

let viewer = null;
let frame = null;
let home = null; // {sphere, offset}

// createViewer builds the viewer in container for the site (a Feature whose
// geometry is the plant boundary) and opens the camera on the site.
export function createViewer(container, site) {
  const C = Cesium;
  C.Ion.defaultAccessToken = undefined;
  viewer = new C.Viewer(container, {
    baseLayer: C.ImageryLayer.fromProviderAsync(
      C.TileMapServiceImageryProvider.fromUrl(C.buildModuleUrl("Assets/Textures/NaturalEarthII"))),
    terrainProvider: new C.EllipsoidTerrainProvider(),
    baseLayerPicker: false, geocoder: false, homeButton: true, sceneModePicker: false,
    projectionPicker: false, navigationHelpButton: false, animation: false, timeline: false,
    fullscreenButton: false, vrButton: false, infoBox: false, selectionIndicator: false,
    skyBox: false, skyAtmosphere: false, requestRenderMode: true, maximumRenderTimeChange: Infinity,
  });
  viewer.resolutionScale = renderScale(window.location.search);
  configureScene(viewer.scene);
  frame = siteFrame(site);
  home = homeView(site);
  viewer.homeButton.viewModel.command.beforeExecute.addEventListener((e) => {
    e.cancel = true;
    flyHome();
  });
  viewer.homeButton.viewModel.tooltip = t("map.home");
  on("lang", () => { viewer.homeButton.viewModel.tooltip = t("map.home"); });
  viewer.camera.flyToBoundingSphere(home.sphere, { offset: home.offset, duration: 0 });
  addBasemap(viewer, site).catch((err) => console.info("chemtwin: no plant basemap:", err.message));
  return viewer;
}

// renderScale reads ?render_scale=S (0.25–1) from the page's query: the 3D
// scene is drawn at S times the screen resolution and scaled up, for plant
// PCs without a GPU, where software WebGL draws every pixel on the CPU
// (the browser tests use 0.5). Default 1.
export function renderScale(search) {
  const s = Number(new URLSearchParams(search).get("render_scale"));
  return Number.isFinite(s) && s >= 0.25 && s <= 1 ? s : 1;
}

// configureScene turns off everything that would fetch or draw remote or
// decorative content, and keeps the globe plain under the plant.
function configureScene(scene) {
  const C = Cesium;
  scene.globe.showGroundAtmosphere = false;
  scene.globe.enableLighting = false;
  scene.globe.baseColor = C.Color.fromCssColorString("#1b2630");
  scene.globe.depthTestAgainstTerrain = false;
  scene.fog.enabled = false;
  scene.highDynamicRange = false;
  if (scene.sun) scene.sun.show = false;
  if (scene.moon) scene.moon.show = false;
  scene.backgroundColor = C.Color.fromCssColorString("#0d1620");
  scene.screenSpaceCameraController.minimumZoomDistance = 5;
  scene.screenSpaceCameraController.maximumZoomDistance = 2.0e7;
}

function siteFrame(site) {
  const origin = site.properties && site.properties.origin;
  if (Array.isArray(origin) && origin.length === 2) return new Frame(origin[0], origin[1]);
  const r = siteRectangle(site);
  const c = Cesium.Rectangle.center(r);
  return new Frame(Cesium.Math.toDegrees(c.longitude), Cesium.Math.toDegrees(c.latitude));
}

// siteRectangle is the bounding rectangle of the site boundary.
export function siteRectangle(site) {
  const g = site && site.geometry;
  const ring = g && g.type === "Polygon" ? g.coordinates[0] : null;
  if (!ring) {
    const o = (site && site.properties && site.properties.origin) || [0, 0];
    return Cesium.Rectangle.fromDegrees(o[0] - 0.005, o[1] - 0.004, o[0] + 0.005, o[1] + 0.004);
  }
  return Cesium.Rectangle.fromCartographicArray(ring.map(([lon, lat]) => Cesium.Cartographic.fromDegrees(lon, lat)));
}

function homeView(site) {
  const C = Cesium;
  const r = siteRectangle(site);
  const corners = [C.Rectangle.southwest(r), C.Rectangle.northeast(r)].map((c) => C.Cartographic.toCartesian(c));
  const sphere = C.BoundingSphere.fromPoints(corners);
  return { sphere, offset: new C.HeadingPitchRange(0, C.Math.toRadians(HOME_PITCH_DEG), sphere.radius * 1.45) };
}

// flyHome returns the camera to the opening view of the site.
export function flyHome() {
  if (!viewer) return;
  viewer.trackedEntity = undefined;
  viewer.camera.lookAtTransform(Cesium.Matrix4.IDENTITY);
  viewer.camera.flyToBoundingSphere(home.sphere, { offset: home.offset, duration: 1.2 });
}

// setSceneMode morphs to "2d" or "3d".
export function setSceneMode(mode) {
  if (!viewer) return;
  const scene = viewer.scene;
  const target = mode === "2d" ? Cesium.SceneMode.SCENE2D : Cesium.SceneMode.SCENE3D;
  if (scene.mode === target) return;
  const done = scene.morphComplete.addEventListener(() => {
    done();
    flyHome();
  });
  if (target === Cesium.SceneMode.SCENE2D) scene.morphTo2D(0.8);
  else scene.morphTo3D(0.8);
}

export function sceneMode() {
  return viewer && viewer.scene.mode === Cesium.SceneMode.SCENE2D ? "2d" : "3d";
}

// currentViewer and plantFrame give other modules the viewer and the site
// frame once created (null before).
export const currentViewer = () => viewer;
export const plantFrame = () => frame;

// addBasemap adds the plant's raster basemap from the tiles server: from
// its index (/tiles/), the archive named after the site (else the first
// whose name starts with it), with levels and bounds from its TileJSON.
// No tiles server or no matching archive leaves the plant without one.
async function addBasemap(v, site) {
  const C = Cesium;
  const siteId = site.properties.id || site.id;
  const index = await getJSON("/tiles/");
  const archives = (index && Array.isArray(index.archives)) ? index.archives : [];
  const entry = archives.find((a) => a.name === siteId) || archives.find((a) => String(a.name).startsWith(siteId));
  if (!entry) {
    console.info(`chemtwin: no plant basemap for site ${siteId}; running without it`);
    return;
  }
  const tj = await getJSON(sameOrigin(entry.tilejson) || `/tiles/${encodeURIComponent(entry.name)}.json`);
  if (!tj) return;
  const b = Array.isArray(tj.bounds) && tj.bounds.length === 4 ? tj.bounds : entry.bounds;
  const provider = new C.UrlTemplateImageryProvider({
    url: sameOrigin(Array.isArray(tj.tiles) && tj.tiles[0]) || `/tiles/${encodeURIComponent(entry.name)}/{z}/{x}/{y}.${entry.format || "png"}`,
    tilingScheme: new C.WebMercatorTilingScheme(),
    minimumLevel: Number.isInteger(tj.minzoom) ? tj.minzoom : BASEMAP_LEVELS[0],
    maximumLevel: Number.isInteger(tj.maxzoom) ? tj.maxzoom : BASEMAP_LEVELS[1],
    rectangle: Array.isArray(b) && b.length === 4 ? C.Rectangle.fromDegrees(b[0], b[1], b[2], b[3]) : siteRectangle(site),
    credit: tj.attribution || undefined,
  });
  v.imageryLayers.addImageryProvider(provider);
  v.scene.requestRender();
}

// getJSON fetches JSON from the server, or null (logged as info) when it
// does not answer 200.
async function getJSON(path) {
  const resp = await fetch(path, { headers: { Accept: "application/json" } });
  if (!resp.ok) {
    console.info(`chemtwin: no plant basemap (${path}: ${resp.status}); running without it`);
    return null;
  }
  return resp.json();
}

// sameOrigin returns the path of url when it is on this server (with its
// {z}/{x}/{y} placeholders intact), else null: the viewer never asks
// another host.
function sameOrigin(url) {
  if (!url) return null;
  try {
    const abs = new URL(url, location.href);
    return abs.origin === location.origin ? decodeURI(abs.pathname) + abs.search : null;
  } catch {
    return null;
  }
}
