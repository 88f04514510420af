"""The office schedule of visits (/office/schedule/)."""
