src/pg/naming/name_project_trigger.o: \
 src/pg/naming/name_project_trigger.cpp \
 /work/main/src/pg/common/guard.hpp /work/main/src/pg/common/postgres.hpp \
 /work/main/src/pg/common/spi.hpp /work/main/src/pg/module.hpp \
 /work/main/src/core/common/error.hpp \
 /work/main/src/core/common/core_only.hpp \
 /work/main/src/core/naming/creative_name.hpp
/work/main/src/pg/common/guard.hpp:
/work/main/src/pg/common/postgres.hpp:
/work/main/src/pg/common/spi.hpp:
/work/main/src/pg/module.hpp:
/work/main/src/core/common/error.hpp:
/work/main/src/core/common/core_only.hpp:
/work/main/src/core/naming/creative_name.hpp:
