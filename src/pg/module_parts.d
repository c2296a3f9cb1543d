src/pg/module_parts.o: src/pg/module_parts.cpp \
 /work/main/src/pg/common/postgres.hpp /work/main/src/pg/module.hpp
/work/main/src/pg/common/postgres.hpp:
/work/main/src/pg/module.hpp:
