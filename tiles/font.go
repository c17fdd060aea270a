package tiles

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"

	"github.com/chemtwin/chemtwin/twin"
)

// CJKFontPaths are where Bake looks for a Chinese font when BakeOptions.Lang
// is "zh" and FontPath is empty: Noto Sans CJK as Debian/Ubuntu
// (fonts-noto-cjk), Arch (noto-fonts-cjk) and Fedora
// (google-noto-sans-cjk-fonts) install it.
var CJKFontPaths = []string{
	"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
	"/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
	"/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
}

// bundledFont names the fallback: the Go font shipped in golang.org/x/image.
const bundledFont = "Go Regular (bundled)"

// fontChoice is the label font a bake uses and the language it labels in.
type fontChoice struct {
	font *opentype.Font
	name string // family, or bundledFont
	lang string // "en" or "zh"
}

// chooseFont loads opts.FontPath, or for Chinese labels the first of
// CJKFontPaths that exists, or else the bundled Go font with English labels.
// An explicit FontPath that cannot be loaded is an error.
func chooseFont(opts BakeOptions, log *slog.Logger) (fontChoice, error) {
	if opts.FontPath != "" {
		f, name, err := loadFont(opts.FontPath, opts.Lang)
		if err != nil {
			return fontChoice{}, err
		}
		return fontChoice{f, name, opts.Lang}, nil
	}
	if opts.Lang == "zh" {
		for _, path := range CJKFontPaths {
			if _, err := os.Stat(path); err != nil {
				continue
			}
			f, name, err := loadFont(path, "zh")
			if err == nil {
				return fontChoice{f, name, "zh"}, nil
			}
			log.Warn("cjk font unusable", "path", path, "err", err)
		}
		log.Warn("no cjk font found; labels in english with the bundled go font", "searched", strings.Join(CJKFontPaths, ", "))
	}
	f, err := opentype.Parse(goregular.TTF)
	return fontChoice{f, bundledFont, "en"}, err
}

// loadFont reads a font file; from a collection (.ttc) it takes the
// Simplified Chinese member for "zh" (family ending in "SC"), else the first.
func loadFont(path, lang string) (*opentype.Font, string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("tiles: font: %w", err)
	}
	if !strings.HasPrefix(string(data[:min(4, len(data))]), "ttcf") {
		f, err := opentype.Parse(data)
		if err != nil {
			return nil, "", fmt.Errorf("tiles: font %s: %w", path, err)
		}
		return f, family(f, path), nil
	}
	c, err := opentype.ParseCollection(data)
	if err != nil {
		return nil, "", fmt.Errorf("tiles: font %s: %w", path, err)
	}
	var first *opentype.Font
	for i := range c.NumFonts() {
		f, err := c.Font(i)
		if err != nil {
			continue
		}
		if first == nil {
			first = f
		}
		if name := family(f, path); lang == "zh" && strings.HasSuffix(name, " SC") {
			return f, name, nil
		}
	}
	if first == nil {
		return nil, "", fmt.Errorf("tiles: font %s: %w", path, errors.New("empty collection"))
	}
	return first, family(first, path), nil
}

func family(f *opentype.Font, path string) string {
	if name, err := f.Name(nil, sfnt.NameIDFamily); err == nil && name != "" {
		return name
	}
	return path
}

// label returns an entity's label text in the chosen language, falling
// back to the other name.
func (fc fontChoice) label(e *twin.Entity) string {
	zh, en := strings.TrimSpace(e.Name), strings.TrimSpace(e.String("name_en"))
	if fc.lang == "zh" {
		return cmp.Or(zh, en)
	}
	return cmp.Or(en, zh)
}

// faces holds one font face per label size; a face is not safe for
// concurrent use, so every bake worker has its own.
type faces struct {
	font   *opentype.Font
	bySize map[float64]font.Face
}

func newFaces(f *opentype.Font) *faces { return &faces{font: f, bySize: map[float64]font.Face{}} }

// at returns the face of size px (72 dpi: one point is one pixel).
func (fs *faces) at(px float64) font.Face {
	if f, ok := fs.bySize[px]; ok {
		return f
	}
	// opentype.NewFace has no failing path (it only records the options).
	f, _ := opentype.NewFace(fs.font, &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingNone})
	fs.bySize[px] = f
	return f
}
