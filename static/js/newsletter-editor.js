// The visual editor of newsletter sections, and its live preview (newsletters/editor.py).
//
// django-prose-editor's own presets need an inline import map and let Tiptap inject an
// inline <style>; the portal's CSP allows neither, so this module imports the editor bundle
// by its static path and creates each editor with injectCSS: false (the CSS is in
// css/newsletter-editor.css). The preview is rendered by the server, through the same
// sanitiser readers get, so what the chair sees is what is sent.
import {
  Blockquote,
  Bold,
  BulletList,
  Caption,
  Document,
  Dropcursor,
  Editor,
  Figure,
  Gapcursor,
  HardBreak,
  Heading,
  History,
  Image,
  Italic,
  Link,
  ListItem,
  Menu,
  OrderedList,
  Paragraph,
  Text,
  initializeEditors,
} from "../django_prose_editor/editor.js";

const SELECTOR = "[data-newsletter-editor]";
const PREVIEW_DELAY_MS = 400;

function extensions() {
  return [
    Document,
    Dropcursor,
    Gapcursor,
    Paragraph,
    HardBreak,
    Text,
    History,
    Menu,
    Bold,
    Italic,
    // Section headings are h2 on the page and in the email: headings in a body are h3, h4.
    Heading.configure({ levels: [3, 4] }),
    BulletList,
    OrderedList,
    ListItem,
    Blockquote,
    Link.configure({ openOnClick: false, enableTarget: false, protocols: ["http", "https", "mailto", "tel"] }),
    // The image button opens a dialog for the address (one of the section's uploaded photos),
    // the alternative text and a caption.
    Figure,
    Caption,
    Image,
  ];
}

function isEmpty(html) {
  return /^<(\w+)(\s[^>]*)?><\/\1>$/i.test(html);
}

function preview(textarea) {
  const url = textarea.dataset.previewUrl;
  const target = document.getElementById(textarea.id + "-preview");
  if (!url || !target) {
    return () => {};
  }
  const csrf = document.querySelector("[name=csrfmiddlewaretoken]");
  let timer = null;
  let latest = 0;
  const refresh = async () => {
    const request = ++latest;
    const body = new URLSearchParams({ body: textarea.value });
    const response = await fetch(url, {
      method: "POST",
      body,
      headers: { "X-CSRFToken": csrf ? csrf.value : "" },
      credentials: "same-origin",
    });
    if (response.ok && request === latest) {
      // Sanitised by the server with nh3: the same HTML readers get.
      target.innerHTML = await response.text();
      target.dataset.state = "ready";
    }
  };
  return () => {
    target.dataset.state = "updating";
    clearTimeout(timer);
    timer = setTimeout(refresh, PREVIEW_DELAY_MS);
  };
}

function createEditor(textarea) {
  if (textarea.closest(".prose-editor")) {
    return null;
  }
  const disabled = textarea.hasAttribute("disabled");
  const wrapper = document.createElement("div");
  wrapper.className = disabled ? "prose-editor disabled" : "prose-editor";
  textarea.before(wrapper);
  wrapper.append(textarea);
  const update = preview(textarea);
  const editor = new Editor({
    element: wrapper,
    editable: !disabled,
    injectCSS: false,
    extensions: extensions(),
    content: textarea.value,
    onUpdate({ editor }) {
      const html = editor.getHTML();
      textarea.value = isEmpty(html) ? "" : html;
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
      update();
    },
    onDestroy() {
      wrapper.before(textarea);
      wrapper.remove();
    },
  });
  update();
  if (!disabled) {
    placesPhotos(textarea, editor);
  }
  return editor;
}

// The buttons under the editor place one of the section's photos, with its alt text.
function placesPhotos(textarea, editor) {
  const picker = document.querySelector(`[data-photo-picker-for="${textarea.id}"]`);
  if (!picker) {
    return;
  }
  picker.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-src]");
    if (!button) {
      return;
    }
    event.preventDefault();
    editor.chain().focus().setImage({ src: button.dataset.src, alt: button.dataset.alt }).run();
  });
}

initializeEditors(createEditor, SELECTOR);
