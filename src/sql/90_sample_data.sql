-- A sample ABCD dictionary for a rollator/walker brand, loadable with one call.

-- SECURITY DEFINER (to reach the admin check); it writes only the shared dictionaries.
CREATE FUNCTION rolloy.load_sample_dictionaries() RETURNS TABLE (dictionary text, rows_added integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n integer;
BEGIN
    PERFORM rolloy_internal._require_admin_or_superuser();

    INSERT INTO rolloy.scenes (category, category_code, scene, scene_code, description, display_order)
    VALUES
        ('Outdoor', 'OUT', 'City park', 'PARK', 'A green city park with wide paved paths, benches and trees in soft daylight.', 10),
        ('Outdoor', 'OUT', 'Seaside promenade', 'BEACH', 'A sunny seaside promenade with a railing, sea view and light breeze.', 11),
        ('Outdoor', 'OUT', 'Nature trail', 'TRAIL', 'A smooth gravel trail through a forest edge in golden-hour light.', 12),
        ('Urban', 'URB', 'Café terrace', 'CAFE', 'A lively café terrace on a pedestrian street, cups on small tables.', 20),
        ('Urban', 'URB', 'Farmers market', 'MARKET', 'An open-air farmers market with fruit stalls and shoppers.', 21),
        ('Urban', 'URB', 'Shopping street', 'STREET', 'A clean shopping street with shop windows and smooth sidewalks.', 22),
        ('At home', 'HOME', 'Living room', 'LIVING', 'A bright, tidy living room with a sofa and large windows.', 30),
        ('At home', 'HOME', 'Garden', 'GARDEN', 'A well-kept back garden with flower beds and a stone path.', 31),
        ('At home', 'HOME', 'Hallway', 'HALL', 'A home hallway by the front door with a coat rack.', 32),
        ('Travel', 'TRVL', 'Car boot', 'CAR', 'The open boot of a hatchback car parked in a driveway.', 40),
        ('Travel', 'TRVL', 'Train platform', 'TRAIN', 'A modern train platform with a train arriving.', 41),
        ('Travel', 'TRVL', 'Airport', 'AIRPORT', 'An airport terminal with large windows and luggage.', 42)
    ON CONFLICT (category_code, scene_code) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    dictionary := 'scenes'; rows_added := n; RETURN NEXT;

    INSERT INTO rolloy.actions (name, code, action_type, product_state, description, display_order)
    VALUES
        ('Walking', 'WALK', 'movement', 'expanded', 'Walks upright at an easy pace, both hands on the handles.', 10),
        ('Resting on the seat', 'REST', 'rest', 'expanded', 'Sits on the walker''s built-in seat with brakes locked, relaxed.', 11),
        ('Shopping', 'SHOP', 'movement', 'expanded', 'Walks with groceries in the walker''s basket.', 12),
        ('Meeting friends', 'MEET', 'social', 'expanded', 'Stands with the walker while talking and laughing with friends.', 13),
        ('Folding', 'FOLD', 'handling', 'both', 'Folds the walker with one hand in a single motion.', 20),
        ('Loading the car', 'LOAD', 'transport', 'folded', 'Lifts the folded walker into a car boot without effort.', 21),
        ('Storing', 'STORE', 'storage', 'folded', 'Stores the folded walker upright in a small space.', 22),
        ('Carrying', 'CARRY', 'transport', 'folded', 'Carries the folded walker onto a train or up a step.', 23)
    ON CONFLICT (code) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    dictionary := 'actions'; rows_added := n; RETURN NEXT;

    INSERT INTO rolloy.drivers (emotion, code, keywords, description, display_order)
    VALUES
        ('Joy', 'JOY', '{laughter,sunshine,smile,lightness}', 'Open, genuine happiness in the moment.', 10),
        ('Freedom', 'FREE', '{independence,open road,spontaneous,go anywhere}', 'Going where you want, when you want.', 11),
        ('Confidence', 'CONF', '{upright posture,self-assured,steady,strong}', 'Standing tall and steady, in control.', 12),
        ('Safety', 'SAFE', '{secure,stable,trusted,peace of mind}', 'Calm certainty that nothing will go wrong.', 13),
        ('Connection', 'CONN', '{family,friends,together,belonging}', 'Time shared with people who matter.', 14),
        ('Style', 'STYLE', '{elegant,modern design,premium,tasteful}', 'A walker that looks like a lifestyle product.', 15),
        ('Calm', 'CALM', '{serene,unhurried,soft light,breathing space}', 'A slow, peaceful moment.', 16)
    ON CONFLICT (code) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    dictionary := 'drivers'; rows_added := n; RETURN NEXT;

    INSERT INTO rolloy.formats (name, code, aspect_ratio, description, display_order)
    VALUES
        ('User-generated look', 'UGC', '4:5', 'Candid smartphone-style shot, natural framing, authentic.', 10),
        ('Lifestyle photo', 'LIFE', '1:1', 'Polished lifestyle photography, subject and scene balanced.', 11),
        ('Product hero', 'HERO', '1:1', 'The walker as hero, crisp detail, clean uncluttered background.', 12),
        ('Story vertical', 'STORY', '9:16', 'Full-screen vertical composition with space at top and bottom for text.', 13),
        ('Wide banner', 'BANNER', '16:9', 'Wide scene with the subject off-centre and room for a headline.', 14),
        ('Portrait close-up', 'PORT', '4:5', 'Close, warm portrait with the walker visible in frame.', 15)
    ON CONFLICT (code) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    dictionary := 'formats'; rows_added := n; RETURN NEXT;
END
$$;
COMMENT ON FUNCTION rolloy.load_sample_dictionaries() IS
    'Loads a sample ABCD dictionary for a rollator/walker brand (12 scenes in 4 categories, 8 actions, '
    '7 drivers, 6 formats). Idempotent; admins (or a superuser session without a rolloy user) only. Returns rows '
    'added per dictionary.';
