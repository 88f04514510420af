"""The field app: serves the PWA shell, its manifest and its service worker."""
