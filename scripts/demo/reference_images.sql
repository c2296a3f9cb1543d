-- Sample reference photos (metadata of the brand's studio shots), uploaded by the admin.
SET ROLE demo_ada;
INSERT INTO rolloy.reference_images (product_state, file_name, mime_type, width, height, size_bytes, sha256, storage_ref, description)
VALUES
    ('expanded', 'walker-open-side.jpg', 'image/jpeg', 1600, 1600, 412345, encode(sha256('walker-open-side'), 'hex'), 'sample:walker-open-side', 'Walker unfolded, side view, studio'),
    ('expanded', 'walker-open-front.jpg', 'image/jpeg', 1600, 1600, 398221, encode(sha256('walker-open-front'), 'hex'), 'sample:walker-open-front', 'Walker unfolded, front view, studio'),
    ('folded', 'walker-folded-upright.jpg', 'image/jpeg', 1200, 1600, 301877, encode(sha256('walker-folded-upright'), 'hex'), 'sample:walker-folded-upright', 'Walker folded, standing upright'),
    ('both', 'walker-fold-sequence.jpg', 'image/jpeg', 2400, 1200, 522910, encode(sha256('walker-fold-sequence'), 'hex'), 'sample:walker-fold-sequence', 'Open and folded side by side');
RESET ROLE;
SELECT file_name, product_state, width || 'x' || height AS size FROM rolloy.reference_images ORDER BY product_state, file_name;
